import type { TDbOrTx } from "~/db/client";
import { compileRuleset, type TCompiledRuleset } from "./evaluate";
import { loadRuleAssets, mediaAssetIdsOf } from "./media";
import { getPublishedVersion, getPublishedVersionId } from "./rules";

/**
 * Compiled rulesets by version id. Version ids are UUIDs, unique across databases, so one
 * process serving several databases (the tests) never mixes them up.
 */
const compiled = new Map<string, TCompiledRuleset>();

/**
 * The published ruleset, compiled: one small query per call to see which version is current,
 * compiled only when it changed (a publish reaches every worker on its next batch).
 */
export async function loadPublishedRuleset(
  db: TDbOrTx,
  /** The current version, when the caller already looked it up. */
  known?: { id: string; version: number } | null,
): Promise<TCompiledRuleset | null> {
  const head = known !== undefined ? known : await getPublishedVersionId(db);
  if (!head) return null;
  const cached = compiled.get(head.id);
  if (cached) return cached;
  const version = await getPublishedVersion(db);
  if (!version) return null;
  // The library files its replies send, once per version (none: no query).
  const assets = await loadRuleAssets(db, mediaAssetIdsOf(version.rules));
  const ruleset = compileRuleset(version.rules, version.version, version.id, assets);
  if (compiled.size >= 16) compiled.clear();
  compiled.set(version.id, ruleset);
  return ruleset;
}
