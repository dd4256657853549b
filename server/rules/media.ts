import { eq, inArray } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { mediaAssets, mediaObjects } from "~/db/schema";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import type { TMediaKind } from "~/server/messages/content";
import type { TRule } from "./schema";

/**
 * Files of the media library a ruleset's replies carry (a reply action's `mediaAssetId`). A
 * published ruleset is compiled with its files (`loadRuleAssets`, once per version, cached with
 * it), so sending a rule's file costs no query per message; publishing refuses a ruleset whose
 * file was deleted, and the library refuses to delete a file a published rule sends.
 */

/** What a rule's reply needs of a library file to send it. */
export type TRuleAsset = {
  id: string;
  name: string;
  kind: TMediaKind;
  fileName: string | null;
  sha256: string;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  thumbSha256: string | null;
};

/** The library files a ruleset's replies refer to (each once). */
export function mediaAssetIdsOf(rules: readonly Pick<TRule, "actions">[]): string[] {
  const ids = new Set<string>();
  for (const rule of rules)
    for (const action of rule.actions) if (action.type === "reply" && action.mediaAssetId) ids.add(action.mediaAssetId);
  return [...ids];
}

/** The rules of a ruleset that send this library file. */
export function rulesSendingAsset<T extends Pick<TRule, "actions" | "name">>(
  rules: readonly T[],
  assetId: string,
): T[] {
  return rules.filter((rule) =>
    rule.actions.some((action) => action.type === "reply" && action.mediaAssetId === assetId),
  );
}

/** The library files with these ids that can still be sent (their file not removed), by id. */
export async function loadRuleAssets(db: TDbOrTx, ids: readonly string[]): Promise<Map<string, TRuleAsset>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: mediaAssets.id,
      name: mediaAssets.name,
      kind: mediaAssets.kind,
      fileName: mediaAssets.fileName,
      sha256: mediaAssets.sha256,
      mimeType: mediaObjects.mimeType,
      size: mediaObjects.size,
      width: mediaObjects.width,
      height: mediaObjects.height,
      thumbSha256: mediaObjects.thumbSha256,
      deletedAt: mediaObjects.deletedAt,
    })
    .from(mediaAssets)
    .innerJoin(mediaObjects, eq(mediaObjects.sha256, mediaAssets.sha256))
    .where(inArray(mediaAssets.id, [...ids]));
  return new Map(
    rows
      .filter((row) => row.deletedAt === null)
      .map(({ deletedAt: _deleted, ...row }) => [row.id, { ...row, kind: row.kind as TMediaKind }] as const),
  );
}

/** Refuses to publish rules whose reply sends a library file that is gone, naming the first such rule. */
export async function assertRuleAssetsExist(db: TDbOrTx, rules: readonly TRule[]): Promise<void> {
  const ids = mediaAssetIdsOf(rules);
  if (ids.length === 0) return;
  const found = await loadRuleAssets(db, ids);
  const missing = ids.find((id) => !found.has(id));
  if (!missing) return;
  const rule = rulesSendingAsset(rules, missing)[0];
  throw new AppError("CONFLICT", serverText("mediaSend.ruleFileGone", { rule: rule?.name ?? "" }));
}
