import { z } from "zod";
import { getContact, listContacts, saveContact, ZContactInput, ZListContactsInput } from "~/server/contacts/contacts";
import { importContacts, previewContactImport, ZImportContactsInput } from "~/server/contacts/import";
import { createTRPCRouter, requireAccess } from "../trpc";

export const contactsRouter = createTRPCRouter({
  list: requireAccess("contacts", "read")
    .input(ZListContactsInput)
    .query(({ ctx, input }) => listContacts(ctx.db, input)),
  get: requireAccess("contacts", "read")
    .input(z.object({ id: z.uuid(), before: z.number().int().optional() }))
    .query(({ ctx, input }) => getContact(ctx.db, input.id, { before: input.before })),
  save: requireAccess("contacts", "write")
    .input(z.object({ id: z.uuid().nullable(), contact: ZContactInput }))
    .mutation(({ ctx, input }) => saveContact(ctx.db, ctx.user, input.id, input.contact)),
  // A mutation though it writes nothing: the file travels in the body, and only writers may preview an import.
  importPreview: requireAccess("contacts", "write")
    .input(ZImportContactsInput)
    .mutation(({ ctx, input }) => previewContactImport(ctx.db, input)),
  import: requireAccess("contacts", "write")
    .input(ZImportContactsInput)
    .mutation(({ ctx, input }) => importContacts(ctx.db, ctx.user, input)),
});
