import { and, asc, desc, eq, getTableColumns, inArray, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import { contacts, contextProfiles, knowledgeCollections, profileCollections, threads } from "~/db/schema";
import { EMOJI_USES, FORMALITIES, RESPONSE_LENGTHS } from "~/db/schema/profiles";
import { RELATIONSHIPS } from "~/db/schema/relationship";
import { prepareAnswer, threadHistory, type TAiConfig } from "~/server/ai/answer";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError, isUniqueViolation } from "~/server/errors";
import { pgArray } from "~/server/lib/sql";

const ZList = z.array(z.string().trim().min(1).max(200)).max(50).default([]);

export const ZProfileInput = z
  .object({
    name: z.string().trim().min(1, "Name the profile").max(80),
    persona: z.string().trim().max(2_000).default(""),
    businessInfo: z
      .object({
        name: z.string().trim().max(120).optional(),
        services: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
        hours: z.string().trim().max(300).optional(),
        links: z.array(z.url("Each link must be a full URL (https://…)").max(500)).max(20).optional(),
        facts: z.array(z.string().trim().min(1).max(500)).max(50).optional(),
      })
      .strict()
      .default({}),
    tone: z.string().trim().min(1).max(80).default("friendly"),
    formality: z.enum(FORMALITIES).default("neutral"),
    responseLength: z.enum(RESPONSE_LENGTHS).default("short"),
    emoji: z.enum(EMOJI_USES).default("some"),
    language: z
      .string()
      .trim()
      .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, "A language code such as en, pt or pt-BR")
      .default("en"),
    topics: ZList,
    topicsToAvoid: ZList,
    instructions: z.string().trim().max(4_000).default(""),
    fallbackText: z.string().trim().max(1_000).default(""),
    isDefault: z.boolean().default(false),
    /** Contacts with these relationships and no profile of their own get this one. */
    relationships: z.array(z.enum(RELATIONSHIPS)).max(RELATIONSHIPS.length).default([]),
    /** The knowledge collections its AI replies draw on. */
    collectionIds: z.array(z.uuid()).max(50).default([]),
    /** Answer only from the knowledge base (else pass the question on and hand off). */
    knowledgeOnly: z.boolean().default(false),
    /** Name the sources a reply drew on. */
    citeSources: z.boolean().default(true),
  })
  .strict();
export type TProfileInput = z.input<typeof ZProfileInput>;

/** The profiles, each with the collections it draws on. */
export async function listProfiles(db: TDbOrTx) {
  return db
    .select({
      ...getTableColumns(contextProfiles),
      collectionIds: sql<string[]>`array(
        select ${profileCollections.collectionId} from ${profileCollections}
        where ${profileCollections.profileId} = ${contextProfiles.id} order by 1)`.mapWith((value: string[]) => value),
    })
    .from(contextProfiles)
    .orderBy(desc(contextProfiles.isDefault), asc(contextProfiles.name));
}

/** The knowledge collections a profile may choose, with how many passages each holds. */
export async function listCollectionChoices(db: TDbOrTx) {
  const rows = await db.execute<{ id: string; name: string; passages: number }>(sql`
    select c.id, c.name, (select count(*) from knowledge_passages p where p.collection_id = c.id)::int as passages
    from ${knowledgeCollections} c order by lower(c.name)`);
  return rows.rows;
}

/** Sets the collections a profile draws on; a collection deleted meanwhile is a clear error. */
async function setProfileCollections(tx: TTx, profileId: string, collectionIds: readonly string[]) {
  await tx.delete(profileCollections).where(eq(profileCollections.profileId, profileId));
  const unique = [...new Set(collectionIds)];
  if (unique.length === 0) return;
  const found = await tx
    .select({ id: knowledgeCollections.id })
    .from(knowledgeCollections)
    .where(inArray(knowledgeCollections.id, unique));
  if (found.length !== unique.length) {
    throw new AppError("BAD_REQUEST", "A chosen knowledge collection no longer exists.", {
      collectionIds: "Choose the collections again",
    });
  }
  await tx.insert(profileCollections).values(unique.map((collectionId) => ({ profileId, collectionId })));
}

function uniqueName(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw new AppError("CONFLICT", "A profile with this name exists already.", { name: "Choose another name" });
  }
  throw error;
}

/** Saves a profile (new when `id` is null); making one the default unsets the previous default. */
export async function saveProfile(db: TDb, actor: TActor, id: string | null, input: TProfileInput) {
  const parsed = ZProfileInput.parse(input);
  const { collectionIds, ...fields } = parsed;
  const profile = { ...fields, relationships: [...new Set(fields.relationships)] };
  return db
    .transaction(async (tx) => {
      if (profile.isDefault) {
        await tx
          .update(contextProfiles)
          .set({ isDefault: false })
          .where(and(eq(contextProfiles.isDefault, true), id ? ne(contextProfiles.id, id) : sql`true`));
      }
      if (profile.relationships.length > 0) {
        // A relationship belongs to one profile: taking it here takes it from any other.
        await tx
          .update(contextProfiles)
          .set({
            relationships: sql`array(select r from unnest(${contextProfiles.relationships}) r where not (r = any(${pgArray(profile.relationships, "relationship")})))`,
          })
          .where(
            and(
              sql`${contextProfiles.relationships} && ${pgArray(profile.relationships, "relationship")}`,
              id ? ne(contextProfiles.id, id) : sql`true`,
            ),
          );
      }
      if (!id) {
        const [created] = await tx.insert(contextProfiles).values(profile).returning();
        await setProfileCollections(tx, created!.id, collectionIds);
        await recordAudit(tx, actor, {
          action: "create",
          entity: "profile",
          entityId: created!.id,
          after: { ...created, collectionIds },
        });
        return created!;
      }
      const [before] = await tx.select().from(contextProfiles).where(eq(contextProfiles.id, id)).for("update");
      if (!before) throw new AppError("NOT_FOUND", "This profile no longer exists.");
      const [updated] = await tx
        .update(contextProfiles)
        .set({ ...profile, updatedAt: new Date() })
        .where(eq(contextProfiles.id, id))
        .returning();
      const collectionsBefore = (
        await tx
          .select({ id: profileCollections.collectionId })
          .from(profileCollections)
          .where(eq(profileCollections.profileId, id))
      ).map((row) => row.id);
      await setProfileCollections(tx, id, collectionIds);
      await recordAudit(tx, actor, {
        action: "update",
        entity: "profile",
        entityId: id,
        before: { ...before, collectionIds: collectionsBefore },
        after: { ...updated, collectionIds },
      });
      return updated!;
    })
    .catch(uniqueName);
}

export async function deleteProfile(db: TDb, actor: TActor, id: string) {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(contextProfiles).where(eq(contextProfiles.id, id)).returning();
    if (!row) throw new AppError("NOT_FOUND", "This profile no longer exists.");
    await recordAudit(tx, actor, { action: "delete", entity: "profile", entityId: id, before: row });
  });
}

export const ZPreviewInput = z.object({
  profileId: z.uuid(),
  /** A contact whose details and conversation fill the preview (else an example contact). */
  contactId: z.uuid().optional(),
  message: z.string().trim().min(1, "Type a message").max(4_096),
});

/**
 * The exact request an AI reply would send for this profile, contact and message, and the
 * knowledge passages it would carry (with their ranks, and whether the answer would be a
 * hand-off because the profile answers only from its knowledge base and nothing fits).
 */
export async function previewPrompt(db: TDbOrTx, config: TAiConfig, input: z.input<typeof ZPreviewInput>) {
  const { profileId, contactId, message } = ZPreviewInput.parse(input);
  const [profile] = await db
    .select({ id: contextProfiles.id })
    .from(contextProfiles)
    .where(eq(contextProfiles.id, profileId));
  if (!profile) throw new AppError("NOT_FOUND", "This profile no longer exists.");
  let contact = { name: "Ana Example" as string | null, relationship: "client", tags: [] as string[], profileId: null };
  let history: { direction: "in" | "out"; body: string }[] = [];
  if (contactId) {
    const [row] = await db.select().from(contacts).where(eq(contacts.id, contactId));
    if (!row) throw new AppError("NOT_FOUND", "This contact no longer exists.");
    contact = { name: row.name, relationship: row.relationship, tags: row.tags, profileId: null };
    const [thread] = await db.select({ id: threads.id }).from(threads).where(eq(threads.contactId, contactId));
    history = thread ? await threadHistory(db, thread.id, Number.MAX_SAFE_INTEGER) : [];
  }
  const prepared = await prepareAnswer(db, config, { profileId, contact, history, message });
  return { ...prepared.prompt, knowledge: prepared.knowledge, handoff: prepared.handoff !== null };
}
