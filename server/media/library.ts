import { asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { events, mediaAssets, mediaObjects, users } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { MEDIA_KINDS, type TMediaKind } from "~/server/messages/content";
import { getPublishedVersion, listDraftRules, RULES_LOCK } from "~/server/rules/rules";
import { rulesSendingAsset, type TRuleAsset } from "~/server/rules/media";
import { storedMediaRef } from "./media-content";
import { touchStoredFile } from "./outbound-content";
import { mediaUsage } from "./retention";
import { signedMediaLinks, type TMediaLinks, type TMediaUrlOptions } from "./urls";
import { webMediaStore } from "./web-store";

/**
 * The media library (Settings → Media): files staff keep to send again, such as a menu or a
 * price list a rule's reply carries. A library file is a name and a kind over a file of the
 * media store (uploaded first through POST /api/media/uploads); the same file may be in the
 * library under several names. Deleting one a published rule sends is refused, naming the rule.
 */

const ZName = z.string().trim().min(1, "Name the file").max(120, "At most 120 characters");

export const ZCreateAssetInput = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "Not a file of the media store"),
  name: ZName,
  kind: z.enum(MEDIA_KINDS),
  /** The uploaded file's own name (a document is sent with it). */
  fileName: z.string().trim().max(500, "At most 500 characters").optional(),
});
export type TCreateAssetInput = z.input<typeof ZCreateAssetInput>;

export const ZRenameAssetInput = z.object({ id: z.uuid(), name: ZName });
export const ZAssetIdInput = z.object({ id: z.uuid() });

/** A library file as the Settings page and the rule editor's picker show it. */
export type TMediaAsset = TRuleAsset & {
  createdAt: Date;
  createdBy: { id: string; name: string } | null;
  /** Rules sending it: published (deleting is refused) and draft ones. */
  usedBy: { published: string[]; draft: string[] };
  /** Signed links to the file and its thumbnail (with `links` options given). */
  links: TMediaLinks | null;
};

/** How long the library's preview links stay valid: the page refetches long before. */
export const LIBRARY_LINK_TTL_S = 15 * 60;

const assetFields = {
  id: mediaAssets.id,
  name: mediaAssets.name,
  kind: mediaAssets.kind,
  fileName: mediaAssets.fileName,
  sha256: mediaAssets.sha256,
  mimeType: mediaAssets.mimeType,
  size: mediaAssets.size,
  width: mediaObjects.width,
  height: mediaObjects.height,
  thumbSha256: mediaObjects.thumbSha256,
  createdAt: mediaAssets.createdAt,
  createdById: users.id,
  createdByName: users.name,
};

/** Every library file, by name, with who added it, which rules send it, and (given `links`) signed links to see it. */
export async function listMediaAssets(db: TDbOrTx, links?: TMediaUrlOptions): Promise<TMediaAsset[]> {
  const [rows, published, draft] = await Promise.all([
    db
      .select(assetFields)
      .from(mediaAssets)
      .innerJoin(mediaObjects, eq(mediaObjects.sha256, mediaAssets.sha256))
      .leftJoin(users, eq(users.id, mediaAssets.createdBy))
      .orderBy(asc(sql`lower(${mediaAssets.name})`)),
    getPublishedVersion(db),
    listDraftRules(db),
  ]);
  return rows.map(({ createdById, createdByName, ...row }) => ({
    ...row,
    kind: row.kind as TMediaKind,
    createdBy: createdById && createdByName ? { id: createdById, name: createdByName } : null,
    usedBy: {
      published: rulesSendingAsset(published?.rules ?? [], row.id).map((rule) => rule.name),
      draft: rulesSendingAsset(draft, row.id).map((rule) => rule.name),
    },
    links: links ? signedMediaLinks(storedMediaRef(row, row.fileName), links) : null,
  }));
}

function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  return (error as { code?: string } | null)?.code === "23505" || cause?.code === "23505";
}

/**
 * Adds a stored file to the library under a name, sent as `kind`: the file must be in the
 * store (not removed) and its real type fit the kind; names are unique (any case).
 */
export async function createMediaAsset(db: TDb, actor: TActor, raw: TCreateAssetInput) {
  const input = ZCreateAssetInput.parse(raw);
  try {
    return await db.transaction(async (tx) => {
      const file = await touchStoredFile(tx, input.sha256, input.kind);
      const [row] = await tx
        .insert(mediaAssets)
        .values({
          name: input.name,
          sha256: file.sha256,
          kind: input.kind,
          fileName: input.fileName || null,
          mimeType: file.mimeType,
          size: file.size,
          createdBy: actor?.id ?? null,
        })
        .returning();
      await recordAudit(tx, actor, { action: "create", entity: "media_asset", entityId: row!.id, after: row });
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", "Another file of the library already has this name.", {
        name: "Another file of the library already has this name.",
      });
    throw error;
  }
}

/** Renames a library file (the rules sending it refer to it by id: they keep sending it). */
export async function renameMediaAsset(db: TDb, actor: TActor, raw: z.input<typeof ZRenameAssetInput>) {
  const input = ZRenameAssetInput.parse(raw);
  try {
    return await db.transaction(async (tx) => {
      const [before] = await tx.select().from(mediaAssets).where(eq(mediaAssets.id, input.id)).for("update");
      if (!before) throw new AppError("NOT_FOUND", "This file is no longer in the media library.");
      const [row] = await tx
        .update(mediaAssets)
        .set({ name: input.name })
        .where(eq(mediaAssets.id, input.id))
        .returning();
      await recordAudit(tx, actor, {
        action: "update",
        entity: "media_asset",
        entityId: input.id,
        before: { name: before.name },
        after: { name: row!.name },
      });
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", "Another file of the library already has this name.", {
        name: "Another file of the library already has this name.",
      });
    throw error;
  }
}

/**
 * Removes a file from the library; refused while the published ruleset sends it, naming the
 * rule (a draft rule may still name it: the editor shows it as deleted and publishing refuses).
 * The stored file stays until retention removes it.
 */
export async function deleteMediaAsset(db: TDb, actor: TActor, raw: z.input<typeof ZAssetIdInput>): Promise<void> {
  const { id } = ZAssetIdInput.parse(raw);
  await db.transaction(async (tx) => {
    // Publishing takes the same lock: no version can start sending it while it goes.
    await tx.execute(sql`select pg_advisory_xact_lock(${RULES_LOCK}, 0)`);
    const published = await getPublishedVersion(tx);
    const [rule] = rulesSendingAsset(published?.rules ?? [], id);
    if (rule) throw new AppError("CONFLICT", serverText("mediaSend.assetInUse", { rule: rule.name }));
    const [row] = await tx.delete(mediaAssets).where(eq(mediaAssets.id, id)).returning();
    if (!row) throw new AppError("NOT_FOUND", "This file is no longer in the media library.");
    await recordAudit(tx, actor, { action: "delete", entity: "media_asset", entityId: id, before: row });
  });
}

/** What the media store holds (files not removed, their bytes), where, and the last retention run. */
export type TMediaStorage = {
  files: number;
  bytes: number;
  /** The store, as it describes itself ("filesystem at …", "S3 bucket … at …"); null when the web has none configured. */
  store: string | null;
  lastPrune: { at: Date; files: number; bytes: number } | null;
};

/** The event retention records after each run that freed anything (server/media/retention.ts). */
export const MEDIA_PRUNE_EVENT = "media.pruned";

/** The web's media store, as it describes itself (null when its settings do not make one). */
export function webStoreDescription(): string | null {
  try {
    return webMediaStore().description;
  } catch {
    return null;
  }
}

/** Storage used by the media store and the last prune, for Settings → Media. */
export async function mediaStorage(db: TDbOrTx, store: string | null): Promise<TMediaStorage> {
  const [usage, [prune]] = await Promise.all([
    mediaUsage(db),
    db
      .select({ at: events.at, payload: events.payload })
      .from(events)
      .where(eq(events.type, MEDIA_PRUNE_EVENT))
      .orderBy(desc(events.at))
      .limit(1),
  ]);
  const payload = prune?.payload ?? {};
  return {
    ...usage,
    store,
    lastPrune: prune ? { at: prune.at, files: Number(payload.files ?? 0), bytes: Number(payload.bytes ?? 0) } : null,
  };
}
