import { z } from "zod";
import {
  createContactField,
  deleteContactField,
  loadContactFields,
  reorderContactFields,
  updateContactField,
  ZCreateContactFieldInput,
  ZReorderContactFieldsInput,
  ZUpdateContactFieldInput,
} from "~/server/contacts/fields";
import { createTRPCRouter, requireAccess } from "../trpc";

/** The contact fields defined in Settings: everyone who reads contacts sees them; admins change them. */
export const contactFieldsRouter = createTRPCRouter({
  list: requireAccess("contacts", "read").query(({ ctx }) => loadContactFields(ctx.db)),
  create: requireAccess("users", "write")
    .input(ZCreateContactFieldInput)
    .mutation(({ ctx, input }) => createContactField(ctx.db, ctx.user, input)),
  update: requireAccess("users", "write")
    .input(ZUpdateContactFieldInput)
    .mutation(({ ctx, input }) => updateContactField(ctx.db, ctx.user, input)),
  delete: requireAccess("users", "write")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteContactField(ctx.db, ctx.user, input.id)),
  reorder: requireAccess("users", "write")
    .input(ZReorderContactFieldsInput)
    .mutation(({ ctx, input }) => reorderContactFields(ctx.db, ctx.user, input)),
});
