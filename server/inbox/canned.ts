import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { domainText, serverText } from "~/server/i18n/domain";
import type { TDb, TDbOrTx } from "~/db/client";
import { cannedReplies, contacts, contextProfiles, threads } from "~/db/schema";
import { recordAudit } from "~/server/audit/audit";
import type { TSessionUser } from "~/server/auth/roles";
import { AppError, isUniqueViolation } from "~/server/errors";
import { renderTemplate, templateValues, unknownVariables } from "~/server/rules/templates";

export const ZCannedReplyInput = z.object({
  title: z.string().trim().min(1, "Name the reply").max(80, "At most 80 characters"),
  body: z
    .string()
    .trim()
    .min(1, "Write the reply")
    .max(4_096, "At most 4,096 characters")
    .superRefine((body, context) => {
      const unknown = unknownVariables(body);
      if (unknown.length > 0) {
        const text = serverText("inbox.unknownVariables", {
          count: unknown.length,
          names: unknown.map((name) => `{{${name}}}`).join(", "),
        });
        context.addIssue({ code: "custom", message: domainText("en", text), params: { text } });
      }
    }),
});

/** Saved replies, by title. */
export function listCannedReplies(db: TDbOrTx) {
  return db
    .select({ id: cannedReplies.id, title: cannedReplies.title, body: cannedReplies.body })
    .from(cannedReplies)
    .orderBy(asc(cannedReplies.title));
}

/** Creates (`id` null) or changes a saved reply; titles are unique (any case). */
export async function saveCannedReply(
  db: TDb,
  user: TSessionUser,
  id: string | null,
  raw: z.input<typeof ZCannedReplyInput>,
) {
  const input = ZCannedReplyInput.parse(raw);
  return db
    .transaction(async (tx) => {
      if (!id) {
        const [created] = await tx
          .insert(cannedReplies)
          .values({ ...input, createdByUserId: user.id })
          .returning();
        await recordAudit(tx, user, {
          action: "create",
          entity: "canned_reply",
          entityId: created!.id,
          after: created,
        });
        return created!;
      }
      const [before] = await tx.select().from(cannedReplies).where(eq(cannedReplies.id, id)).for("update");
      if (!before) throw new AppError("NOT_FOUND", "This saved reply no longer exists.");
      const [updated] = await tx
        .update(cannedReplies)
        .set({ ...input, updatedAt: new Date() })
        .where(eq(cannedReplies.id, id))
        .returning();
      await recordAudit(tx, user, { action: "update", entity: "canned_reply", entityId: id, before, after: updated });
      return updated!;
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw new AppError("CONFLICT", "A saved reply with this title exists already.", {
          title: "Choose another title",
        });
      }
      throw error;
    });
}

export async function deleteCannedReply(db: TDb, user: TSessionUser, id: string) {
  await db.transaction(async (tx) => {
    const [deleted] = await tx.delete(cannedReplies).where(eq(cannedReplies.id, id)).returning();
    if (!deleted) throw new AppError("NOT_FOUND", "This saved reply no longer exists.");
    await recordAudit(tx, user, { action: "delete", entity: "canned_reply", entityId: id, before: deleted });
  });
}

/** A saved reply with its variables filled in for the thread's contact (and their profile). */
export async function renderCannedReply(db: TDbOrTx, id: string, threadId: string) {
  const [reply] = await db.select().from(cannedReplies).where(eq(cannedReplies.id, id));
  if (!reply) throw new AppError("NOT_FOUND", "This saved reply no longer exists.");
  const [row] = await db
    .select({ contact: contacts, profile: contextProfiles })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .leftJoin(contextProfiles, eq(contextProfiles.id, contacts.profileId))
    .where(eq(threads.id, threadId));
  if (!row) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
  const profile =
    row.profile ??
    (await db.select().from(contextProfiles).where(eq(contextProfiles.isDefault, true)).limit(1))[0] ??
    null;
  return {
    text: renderTemplate(
      reply.body,
      templateValues(
        { name: row.contact.name, phone: row.contact.waId, relationship: row.contact.relationship },
        profile,
      ),
    ),
  };
}
