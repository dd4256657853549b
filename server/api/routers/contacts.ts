import { z } from "zod";
import { getContact, listContacts, saveContact, ZContactInput, ZListContactsInput } from "~/server/contacts/contacts";
import { setContactFieldValues, ZFieldValues } from "~/server/contacts/fields";
import { importContacts, previewContactImport, ZImportContactsInput } from "~/server/contacts/import";
import { mergeContacts, previewContactMerge } from "~/server/contacts/merge";
import { dashboardMediaLinks } from "~/server/media/links";
import { createTRPCRouter, requireAccess } from "../trpc";

const ZMergeInput = z.object({ id: z.uuid(), otherId: z.uuid() });

export const contactsRouter = createTRPCRouter({
  list: requireAccess("contacts", "read")
    .input(ZListContactsInput)
    .query(({ ctx, input }) => listContacts(ctx.db, input)),
  get: requireAccess("contacts", "read")
    .input(z.object({ id: z.uuid(), before: z.number().int().optional() }))
    .query(({ ctx, input }) =>
      getContact(ctx.db, input.id, { before: input.before, media: dashboardMediaLinks(ctx.appSecret) }),
    ),
  save: requireAccess("contacts", "write")
    .input(z.object({ id: z.uuid().nullable(), contact: ZContactInput }))
    .mutation(({ ctx, input }) => saveContact(ctx.db, ctx.user, input.id, input.contact)),
  /** Sets some of the contact's custom field values (null clears one). */
  setFields: requireAccess("contacts", "write")
    .input(z.object({ id: z.uuid(), values: ZFieldValues }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction((tx) => setContactFieldValues(tx, input.id, input.values, ctx.user)),
    ),
  // A mutation though it writes nothing: the file travels in the body, and only writers may preview an import.
  importPreview: requireAccess("contacts", "write")
    .input(ZImportContactsInput)
    .mutation(({ ctx, input }) => previewContactImport(ctx.db, input)),
  // Only those who may merge see what a merge would do.
  mergePreview: requireAccess("contacts", "write")
    .input(ZMergeInput)
    .query(({ ctx, input }) => previewContactMerge(ctx.db, input.id, input.otherId)),
  merge: requireAccess("contacts", "write")
    .input(ZMergeInput)
    .mutation(async ({ ctx, input }) => {
      const merged = await mergeContacts(ctx.db, await ctx.boss(), ctx.user, input.id, input.otherId);
      return { survivorId: merged.survivorId, absorbedId: merged.absorbedId, threadId: merged.threadId };
    }),
  import: requireAccess("contacts", "write")
    .input(ZImportContactsInput)
    .mutation(({ ctx, input }) => importContacts(ctx.db, ctx.user, input)),
});
