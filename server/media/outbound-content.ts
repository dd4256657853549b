import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { mediaObjects, waEngines, waSessions } from "~/db/schema";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { MEDIA_KINDS, type TMediaKind, type TMessageContent } from "~/server/messages/content";
import { mediaContent, storedMediaRef } from "./media-content";
import { ACCEPTED_TYPES, baseTypeOf } from "./sniff";
import { engineCan, readEngineCapabilities } from "~/server/sessions/engine-capabilities";

/**
 * Outbound media: the one place that turns a file of the media store into the content of a
 * message we send (an agent's reply, the REST API's, a rule's file from the library). The file
 * must be in `media_objects` and not removed, its real type (found from its bytes when it was
 * taken in) must fit the kind it is sent as, and the session's engine must be able to send that
 * kind. Nothing is sniffed again here: the stored type decides.
 */

/** A file to send, as the composer and the API name it (after uploading it). */
export const ZMediaAttachment = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "Not a file of the media store"),
  kind: z.enum(MEDIA_KINDS),
  fileName: z.string().trim().max(500, "At most 500 characters").optional(),
});
export type TMediaAttachment = z.infer<typeof ZMediaAttachment>;

/**
 * Whether a file of this real type may be sent as `kind`: the types intake accepts for the kind
 * (server/media/sniff.ts `ACCEPTED_TYPES`), checked against the type stored when it was taken in.
 */
export function kindFitsType(kind: TMediaKind, file: { mimeType: string }): boolean {
  const accepted = ACCEPTED_TYPES[kind];
  return accepted === "any" || accepted.includes(baseTypeOf(file.mimeType));
}

/** Refuses a kind the session's engine cannot send (its published capabilities), naming the kind. */
export async function assertSessionSends(db: TDbOrTx, sessionId: string, kind: TMediaKind): Promise<void> {
  const [row] = await db
    .select({ capabilities: waEngines.capabilities, engine: waEngines.label })
    .from(waSessions)
    .leftJoin(waEngines, eq(waEngines.kind, waSessions.kind))
    .where(eq(waSessions.id, sessionId));
  if (!engineCan(readEngineCapabilities(row?.capabilities ?? null), `media.${kind}`)) {
    throw new AppError("BAD_REQUEST", serverText("mediaSend.kindNotSent", { kind, engine: row?.engine ?? "-" }));
  }
}

/**
 * The content of a message sending a stored file as `kind` with an optional caption, from
 * `sessionId`: checks the file (stored, not removed), that its real type fits the kind and that
 * the session's engine sends the kind; marks the file used (`last_used_at`, so retention keeps
 * it). Throws an `AppError` naming what is wrong. Shared by agent replies and the REST API.
 */
export async function mediaContentFor(
  db: TDbOrTx,
  input: { sha256: string; kind: TMediaKind; fileName?: string | null; caption?: string | null; sessionId: string },
): Promise<TMessageContent> {
  await assertSessionSends(db, input.sessionId, input.kind);
  const file = await touchStoredFile(db, input.sha256, input.kind);
  return mediaContent(input.kind, storedMediaRef(file, input.fileName), input.caption);
}

/**
 * A stored file (not removed) about to be sent or kept as `kind`, marked used (`last_used_at`,
 * so retention keeps it); an `AppError` when it is not in the store or its real type does not
 * fit the kind. Shared by sends and the media library.
 */
export async function touchStoredFile(db: TDbOrTx, sha256: string, kind: TMediaKind) {
  const [file] = await db
    .update(mediaObjects)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(mediaObjects.sha256, sha256), isNull(mediaObjects.deletedAt)))
    .returning();
  if (!file) throw new AppError("NOT_FOUND", "This file is not in the media store; upload it again.");
  if (!kindFitsType(kind, file)) {
    throw new AppError("BAD_REQUEST", serverText("mediaSend.kindMismatch", { kind, type: file.mimeType }));
  }
  return file;
}
