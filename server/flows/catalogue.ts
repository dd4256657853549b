import { and, eq, or, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { contactFields, flows, flowVersions, type TContactFieldType } from "~/db/schema";
import { loadRuleAssets } from "~/server/rules/media";
import type { TRuleAsset } from "~/server/rules/media";
import { ZFlowDefinition, ZFlowTriggers, normalizeKeyword, type TFlowTriggers } from "./definition";
import { compileFlow, type TCompiledFlow } from "./run";

/**
 * The flows the pipeline can run, loaded once per batch: every enabled flow's published version
 * (what triggers, rules and the API start), keywords to flows, and on demand the older versions
 * runs still stand on. Compiled versions are immutable, so they are cached by flow and version
 * for the life of the process; the list of published versions is one small query per batch.
 */
export type TFlowCatalogue = {
  /** The published version of each enabled flow. */
  published: ReadonlyMap<string, TCompiledFlowWithAssets>;
  /** A normalized keyword → the flow it starts. */
  keywords: ReadonlyMap<string, string>;
  /** Flows a contact's first message starts (the first one wins). */
  firstMessage: readonly string[];
  /** The contact fields flows may write, by key. */
  fields: ReadonlyMap<string, { type: TContactFieldType; options: string[] }>;
  /** A version by flow and number (loaded with `ensureVersions`). */
  version: (flowId: string, version: number) => TCompiledFlowWithAssets | null;
};

export type TCompiledFlowWithAssets = TCompiledFlow & {
  assets: ReadonlyMap<string, TRuleAsset>;
  triggers: TFlowTriggers;
  /** Whether the flow is enabled now (a run of a disabled flow stops at its next move). */
  enabled: boolean;
};

const compiled = new Map<string, TCompiledFlowWithAssets>();
const keyOf = (flowId: string, version: number) => `${flowId}|${version}`;

async function compileVersions(tx: TDbOrTx, wanted: readonly { flowId: string; version: number }[]): Promise<void> {
  const missing = wanted.filter((entry) => !compiled.has(keyOf(entry.flowId, entry.version)));
  if (missing.length === 0) return;
  const rows = await tx
    .select({
      flowId: flowVersions.flowId,
      version: flowVersions.version,
      name: flowVersions.name,
      definition: flowVersions.definition,
      triggers: flowVersions.triggers,
    })
    .from(flowVersions)
    .where(
      or(
        ...missing.map((entry) => and(eq(flowVersions.flowId, entry.flowId), eq(flowVersions.version, entry.version))),
      ),
    );
  for (const row of rows) {
    const definition = ZFlowDefinition.safeParse(row.definition);
    if (!definition.success) continue;
    const triggers = ZFlowTriggers.safeParse(row.triggers);
    const assetIds = definition.data.steps.flatMap((step) =>
      step.type === "send" && step.mediaAssetId ? [step.mediaAssetId] : [],
    );
    const assets = assetIds.length > 0 ? await loadRuleAssets(tx, assetIds) : new Map<string, TRuleAsset>();
    compiled.set(keyOf(row.flowId, row.version), {
      ...compileFlow({ flowId: row.flowId, version: row.version, name: row.name, definition: definition.data }),
      assets,
      triggers: triggers.success ? triggers.data : { keywords: [], firstMessage: false },
      enabled: true,
    });
  }
}

/**
 * Loads the catalogue, with the versions `running` (the batch's active runs) stand on. A flow
 * whose version cannot be read is left out (its runs end as failed).
 */
export async function loadFlowCatalogue(
  tx: TDbOrTx,
  running: readonly { flowId: string; version: number }[] = [],
): Promise<TFlowCatalogue> {
  // The published heads and the contact fields flows write, in one round trip.
  const {
    rows: [found],
  } = await tx.execute<{
    heads: { id: string; version: number; enabled: boolean }[];
    fields: { key: string; type: TContactFieldType; options: string[] }[];
  }>(sql`
    select
      (select coalesce(json_agg(json_build_object('id', id, 'version', published_version, 'enabled', enabled)), '[]'::json)
        from ${flows} where published_version is not null) as heads,
      (select coalesce(json_agg(json_build_object('key', key, 'type', type, 'options', options)), '[]'::json)
        from ${contactFields}) as fields`);
  const heads = found?.heads ?? [];
  const fields = new Map(
    (found?.fields ?? []).map((field) => [field.key, { type: field.type, options: field.options }]),
  );
  const enabledNow = new Map(heads.map((head) => [head.id, head.enabled]));
  const published = heads.filter((head) => head.enabled).map((head) => ({ flowId: head.id, version: head.version }));
  await compileVersions(tx, [...published, ...running]);
  const byId = new Map<string, TCompiledFlowWithAssets>();
  const keywords = new Map<string, string>();
  const firstMessage: string[] = [];
  for (const { flowId, version } of published) {
    const flow = compiled.get(keyOf(flowId, version));
    if (!flow) continue;
    byId.set(flowId, flow);
    for (const keyword of flow.triggers.keywords) {
      const normalized = normalizeKeyword(keyword);
      if (normalized && !keywords.has(normalized)) keywords.set(normalized, flowId);
    }
    if (flow.triggers.firstMessage) firstMessage.push(flowId);
  }
  return {
    published: byId,
    keywords,
    firstMessage,
    fields,
    version: (flowId, version) => {
      const flow = compiled.get(keyOf(flowId, version));
      if (!flow) return null;
      return { ...flow, enabled: enabledNow.get(flowId) ?? false };
    },
  };
}

/** Forgets compiled versions (tests that rewrite a version in place). */
export function clearFlowCache() {
  compiled.clear();
}
