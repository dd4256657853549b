import { and, asc, desc, eq, inArray, isNotNull, max, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { contactFields, flowVersions, flows, mediaAssets, threads, users } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError, isUniqueViolation } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { checkFlow, hasBlockingProblems, type TFlowCheckContext, type TFlowProblem } from "./checks";
import {
  normalizeKeyword,
  ZFlowDefinition,
  ZFlowInput,
  ZFlowTriggers,
  type TFlowDefinition,
  type TFlowInput,
  type TFlowStep,
  type TFlowTriggers,
} from "./definition";

/** Serialises publishing (version numbers, keywords across flows) and enabling. */
export const FLOWS_LOCK = 7_348;

type TFlowRow = typeof flows.$inferSelect;

/** A flow's draft as the editor holds it. */
export type TFlow = {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  definition: TFlowDefinition;
  triggers: TFlowTriggers;
  publishedVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
};

function toFlow(row: TFlowRow): TFlow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    // Stored by this module through ZFlowInput; parsed again so defaults added later apply.
    definition: ZFlowDefinition.parse(row.definition),
    triggers: ZFlowTriggers.parse(row.triggers),
    publishedVersion: row.publishedVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** How many conversations have each flow active now (`threads.flow`), by flow id. */
async function activeRunCounts(db: TDbOrTx, flowId?: string): Promise<Map<string, number>> {
  const flowOf = sql<string>`${threads.flow}->>'flowId'`;
  const rows = await db
    .select({ flowId: flowOf, count: sql<number>`count(*)::int` })
    .from(threads)
    .where(flowId ? sql`${flowOf} = ${flowId}` : isNotNull(threads.flow))
    .groupBy(flowOf);
  return new Map(rows.map((row) => [row.flowId, row.count]));
}

export type TFlowSummary = {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  publishedVersion: number | null;
  /** Whether the draft differs from the published version (always true before the first publish). */
  hasDraftChanges: boolean;
  steps: number;
  activeRuns: number;
  updatedAt: Date;
};

/** The flows page's list: each flow with its published version, whether it is enabled and its active runs. */
export async function listFlows(db: TDbOrTx): Promise<TFlowSummary[]> {
  const rows = await db
    .select({ flow: flows, published: flowVersions })
    .from(flows)
    .leftJoin(flowVersions, and(eq(flowVersions.flowId, flows.id), eq(flowVersions.version, flows.publishedVersion)))
    .orderBy(asc(sql`lower(${flows.name})`));
  const runs = await activeRunCounts(db);
  return rows.map(({ flow, published }) => ({
    id: flow.id,
    name: flow.name,
    description: flow.description,
    enabled: flow.enabled,
    publishedVersion: flow.publishedVersion,
    hasDraftChanges:
      !published ||
      canonicalJson(published.definition) !== canonicalJson(flow.definition) ||
      canonicalJson(published.triggers) !== canonicalJson(flow.triggers) ||
      published.name !== flow.name,
    steps: Array.isArray(flow.definition.steps) ? flow.definition.steps.length : 0,
    activeRuns: runs.get(flow.id) ?? 0,
    updatedAt: flow.updatedAt,
  }));
}

async function findFlow(db: TDbOrTx, id: string, lock = false): Promise<TFlowRow> {
  const query = db.select().from(flows).where(eq(flows.id, id));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw new AppError("NOT_FOUND", "This flow no longer exists.");
  return row;
}

/** One flow's draft, with how many conversations run it now. */
export async function getFlow(db: TDbOrTx, id: string): Promise<TFlow & { activeRuns: number }> {
  const row = await findFlow(db, id);
  return { ...toFlow(row), activeRuns: (await activeRunCounts(db, id)).get(id) ?? 0 };
}

/** Runs a write; a name another flow has (case aside) becomes a clear error on the name field. */
async function withUniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", "A flow with this name already exists.", {
        name: "A flow with this name already exists.",
      });
    throw error;
  }
}

function columns(input: z.output<typeof ZFlowInput>) {
  return {
    name: input.name,
    description: input.description,
    enabled: input.enabled,
    definition: input.definition as unknown as Record<string, unknown>,
    triggers: input.triggers as unknown as Record<string, unknown>,
  };
}

export async function createFlow(db: TDb, actor: TActor, input: TFlowInput): Promise<TFlow> {
  const flow = ZFlowInput.parse(input);
  return withUniqueName(() =>
    db.transaction(async (tx) => {
      const [row] = await tx.insert(flows).values(columns(flow)).returning();
      const created = toFlow(row!);
      await recordAudit(tx, actor, { action: "create", entity: "flow", entityId: created.id, after: created });
      return created;
    }),
  );
}

/** Saves the draft (what the editor shows); nothing runs it until it is published. */
export async function updateFlow(db: TDb, actor: TActor, id: string, input: TFlowInput): Promise<TFlow> {
  const flow = ZFlowInput.parse(input);
  return withUniqueName(() =>
    db.transaction(async (tx) => {
      const before = await findFlow(tx, id, true);
      const [row] = await tx
        .update(flows)
        .set({ ...columns(flow), updatedAt: new Date() })
        .where(eq(flows.id, id))
        .returning();
      const updated = toFlow(row!);
      await recordAudit(tx, actor, {
        action: "update",
        entity: "flow",
        entityId: id,
        before: toFlow(before),
        after: updated,
      });
      return updated;
    }),
  );
}

/** Deletes a flow with its versions and history; refused while a conversation has it active. */
export async function deleteFlow(db: TDb, actor: TActor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FLOWS_LOCK}, 0)`);
    const row = await findFlow(tx, id, true);
    const active = (await activeRunCounts(tx, id)).get(id) ?? 0;
    if (active > 0) throw new AppError("CONFLICT", serverText("flowEditor.activeRuns", { count: active }));
    await tx.delete(flows).where(eq(flows.id, id));
    await recordAudit(tx, actor, { action: "delete", entity: "flow", entityId: id, before: toFlow(row) });
  });
}

/** `name`, or `name (2)`, `name (3)`… : the first no flow has yet (names compare without case). */
async function freeName(db: TDbOrTx, name: string): Promise<string> {
  const base = name.replace(/ \(\d+\)$/, "").slice(0, 110);
  const taken = new Set(
    (await db.select({ name: flows.name }).from(flows)).map((row) => row.name.toLocaleLowerCase("en")),
  );
  if (!taken.has(name.toLocaleLowerCase("en"))) return name;
  for (let n = 2; ; n += 1) {
    const candidate = `${base} (${n})`;
    if (!taken.has(candidate.toLocaleLowerCase("en"))) return candidate;
  }
}

/** A copy of a flow's draft under a free name ("X (2)"), not published. */
export async function duplicateFlow(db: TDb, actor: TActor, id: string): Promise<TFlow> {
  const source = toFlow(await findFlow(db, id));
  return createFlow(db, actor, {
    name: await freeName(db, source.name),
    description: source.description,
    enabled: source.enabled,
    definition: source.definition,
    triggers: source.triggers,
  });
}

type TPublishedTriggers = { flowId: string; name: string; triggers: TFlowTriggers };

/** The triggers of every other enabled, published flow (as published). */
async function otherLiveTriggers(tx: TDbOrTx, id: string): Promise<TPublishedTriggers[]> {
  const rows = await tx
    .select({ flowId: flows.id, name: flows.name, triggers: flowVersions.triggers })
    .from(flows)
    .innerJoin(flowVersions, and(eq(flowVersions.flowId, flows.id), eq(flowVersions.version, flows.publishedVersion)))
    .where(and(ne(flows.id, id), eq(flows.enabled, true)));
  return rows.map((row) => ({ ...row, triggers: ZFlowTriggers.parse(row.triggers) }));
}

/** Refuses keywords another enabled published flow already starts on, naming that flow (publish and import). */
export async function assertKeywordsFree(tx: TDbOrTx, id: string, triggers: TFlowTriggers): Promise<void> {
  if (triggers.keywords.length === 0) return;
  const others = await otherLiveTriggers(tx, id);
  for (const keyword of triggers.keywords) {
    const normal = normalizeKeyword(keyword);
    const owner = others.find((other) => other.triggers.keywords.some((word) => normalizeKeyword(word) === normal));
    if (owner)
      throw new AppError("CONFLICT", serverText("flowEditor.keywordTaken", { keyword, flow: owner.name }), {
        keywords: serverText("flowEditor.keywordTaken", { keyword, flow: owner.name }),
      });
  }
}

/** Turns a flow on or off (its published version starts, or starts nowhere). */
export async function setFlowEnabled(db: TDb, actor: TActor, id: string, enabled: boolean): Promise<TFlow> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FLOWS_LOCK}, 0)`);
    const before = await findFlow(tx, id, true);
    if (enabled && before.publishedVersion !== null) {
      const [published] = await tx
        .select({ triggers: flowVersions.triggers })
        .from(flowVersions)
        .where(and(eq(flowVersions.flowId, id), eq(flowVersions.version, before.publishedVersion)));
      if (published) await assertKeywordsFree(tx, id, ZFlowTriggers.parse(published.triggers));
    }
    const [row] = await tx.update(flows).set({ enabled, updatedAt: new Date() }).where(eq(flows.id, id)).returning();
    await recordAudit(tx, actor, {
      action: enabled ? "enable" : "disable",
      entity: "flow",
      entityId: id,
      before: { enabled: before.enabled },
      after: { enabled },
    });
    return toFlow(row!);
  });
}

/** What the checks need to know beyond the flow: the flows, contact fields and files that exist. */
export async function flowCheckContext(db: TDbOrTx, definition?: TFlowDefinition): Promise<TFlowCheckContext> {
  const assets = (definition?.steps ?? []).flatMap((step) =>
    step.type === "send" && step.mediaAssetId ? [step.mediaAssetId] : [],
  );
  const [flowRows, fieldRows, assetRows] = await Promise.all([
    db.select({ id: flows.id }).from(flows),
    db.select({ key: contactFields.key }).from(contactFields),
    assets.length > 0
      ? db.select({ id: mediaAssets.id }).from(mediaAssets).where(inArray(mediaAssets.id, assets))
      : Promise.resolve([]),
  ]);
  return {
    flowIds: new Set(flowRows.map((row) => row.id)),
    fieldKeys: new Set(fieldRows.map((row) => row.key)),
    assetIds: new Set(assetRows.map((row) => row.id)),
  };
}

/** The checks on a definition (the editor's draft, saved or not). */
export async function checkFlowDefinition(db: TDbOrTx, definition: unknown): Promise<TFlowProblem[]> {
  const parsed = ZFlowDefinition.parse(definition);
  return checkFlow(parsed, await flowCheckContext(db, parsed));
}

export const ZPublishFlowInput = z.object({ id: z.uuid(), note: z.string().trim().max(500).default("") });

/**
 * Publishes the draft as the flow's next immutable version (name, steps and triggers), which new
 * runs use from then on. Errors of the checks refuse it; warnings come back with the version.
 * A keyword another enabled published flow starts on refuses it too.
 */
export async function publishFlow(
  db: TDb,
  actor: TActor,
  id: string,
  note = "",
): Promise<{ version: number; warnings: TFlowProblem[] }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FLOWS_LOCK}, 0)`);
    const flow = toFlow(await findFlow(tx, id, true));
    const problems = await assertFlowDefinitionPublishable(tx, flow.definition);
    if (flow.enabled) await assertKeywordsFree(tx, id, flow.triggers);
    const version = await insertFlowVersion(tx, actor, id, flow, note);
    return { version, warnings: problems };
  });
}

/**
 * The checks a publish runs on a definition, inside `tx` (publish and import): errors refuse
 * it; the problems (warnings) come back.
 */
export async function assertFlowDefinitionPublishable(
  tx: TDbOrTx,
  definition: TFlowDefinition,
): Promise<TFlowProblem[]> {
  const problems = checkFlow(definition, await flowCheckContext(tx, definition));
  if (hasBlockingProblems(problems)) {
    const errors = problems.filter((found) => found.severity === "error");
    throw new AppError(
      "BAD_REQUEST",
      serverText("flowEditor.publishBlocked", { count: errors.length, first: errors[0]!.message }),
    );
  }
  return problems;
}

/** Writes the flow's next version (as published, audited) inside `tx`, under FLOWS_LOCK; its number. */
export async function insertFlowVersion(
  tx: TDbOrTx,
  actor: TActor,
  id: string,
  flow: { name: string; definition: TFlowDefinition; triggers: TFlowTriggers },
  note: string,
): Promise<number> {
  const [{ latest } = { latest: 0 }] = await tx
    .select({ latest: max(flowVersions.version) })
    .from(flowVersions)
    .where(eq(flowVersions.flowId, id));
  const version = (latest ?? 0) + 1;
  await tx.insert(flowVersions).values({
    flowId: id,
    version,
    name: flow.name,
    definition: flow.definition,
    triggers: flow.triggers,
    note: note.trim().slice(0, 500),
    publishedBy: actor?.id ?? null,
  });
  await tx.update(flows).set({ publishedVersion: version }).where(eq(flows.id, id));
  await recordAudit(tx, actor, {
    action: "publish",
    entity: "flow",
    entityId: id,
    after: { version, note, steps: flow.definition.steps.length },
  });
  return version;
}

export type TFlowVersionSummary = {
  version: number;
  name: string;
  note: string;
  publishedAt: Date;
  publishedBy: string | null;
  steps: number;
};

/** A flow's published versions, newest first. */
export async function listFlowVersions(db: TDbOrTx, id: string): Promise<TFlowVersionSummary[]> {
  await findFlow(db, id);
  return db
    .select({
      version: flowVersions.version,
      name: flowVersions.name,
      note: flowVersions.note,
      publishedAt: flowVersions.publishedAt,
      publishedBy: users.email,
      steps: sql<number>`coalesce(jsonb_array_length(${flowVersions.definition}->'steps'), 0)::int`,
    })
    .from(flowVersions)
    .leftJoin(users, eq(users.id, flowVersions.publishedBy))
    .where(eq(flowVersions.flowId, id))
    .orderBy(desc(flowVersions.version))
    .limit(200);
}

type TFlowSnapshot = { name: string; definition: TFlowDefinition; triggers: TFlowTriggers };

async function getFlowVersion(db: TDbOrTx, id: string, version: number): Promise<TFlowSnapshot> {
  const [row] = await db
    .select()
    .from(flowVersions)
    .where(and(eq(flowVersions.flowId, id), eq(flowVersions.version, version)));
  if (!row) throw new AppError("NOT_FOUND", serverText("flowEditor.noSuchVersion", { version }));
  return {
    name: row.name,
    definition: ZFlowDefinition.parse(row.definition),
    triggers: ZFlowTriggers.parse(row.triggers),
  };
}

/**
 * JSON with object keys sorted: a definition read back from jsonb and one parsed by the schema
 * hold the same step in different key orders.
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

export type TFlowDiff = {
  added: { id: string; title: string; type: string }[];
  removed: { id: string; title: string; type: string }[];
  /** Steps in both whose content changed, with the fields that did (moving a step on the canvas is not a change). */
  changed: { id: string; title: string; type: string; fields: string[] }[];
  startChanged: boolean;
  nameChanged: boolean;
  triggers: { keywordsAdded: string[]; keywordsRemoved: string[]; firstMessageChanged: boolean };
  hasChanges: boolean;
};

/** What changed from one snapshot to another, step by step (matched by id). */
export function diffFlowSnapshots(before: TFlowSnapshot, after: TFlowSnapshot): TFlowDiff {
  const old = new Map(before.definition.steps.map((step) => [step.id, step]));
  const now = new Map(after.definition.steps.map((step) => [step.id, step]));
  const brief = (step: TFlowStep) => ({ id: step.id, title: step.title, type: step.type });
  const changedFields = (a: TFlowStep, b: TFlowStep) =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
      (key) =>
        key !== "position" &&
        canonicalJson((a as Record<string, unknown>)[key]) !== canonicalJson((b as Record<string, unknown>)[key]),
    );
  const oldWords = new Set(before.triggers.keywords.map(normalizeKeyword));
  const newWords = new Set(after.triggers.keywords.map(normalizeKeyword));
  const diff = {
    added: after.definition.steps.filter((step) => !old.has(step.id)).map(brief),
    removed: before.definition.steps.filter((step) => !now.has(step.id)).map(brief),
    changed: after.definition.steps
      .filter((step) => old.has(step.id))
      .map((step) => ({ ...brief(step), fields: changedFields(old.get(step.id)!, step) }))
      .filter((step) => step.fields.length > 0),
    startChanged: before.definition.start !== after.definition.start,
    nameChanged: before.name !== after.name,
    triggers: {
      keywordsAdded: after.triggers.keywords.filter((word) => !oldWords.has(normalizeKeyword(word))),
      keywordsRemoved: before.triggers.keywords.filter((word) => !newWords.has(normalizeKeyword(word))),
      firstMessageChanged: before.triggers.firstMessage !== after.triggers.firstMessage,
    },
  };
  return {
    ...diff,
    hasChanges:
      diff.added.length + diff.removed.length + diff.changed.length > 0 ||
      diff.startChanged ||
      diff.nameChanged ||
      diff.triggers.keywordsAdded.length + diff.triggers.keywordsRemoved.length > 0 ||
      diff.triggers.firstMessageChanged,
  };
}

export const ZFlowDiffInput = z.object({
  id: z.uuid(),
  /** The older side: a version (0: nothing, the empty flow). */
  from: z.number().int().min(0),
  /** The newer side: a version, or null for the draft. */
  to: z.number().int().min(1).nullable(),
});

/** The diff between two versions of a flow, or a version and the draft. */
export async function diffFlowVersions(db: TDbOrTx, input: z.input<typeof ZFlowDiffInput>): Promise<TFlowDiff> {
  const { id, from, to } = ZFlowDiffInput.parse(input);
  const draft = toFlow(await findFlow(db, id));
  const empty: TFlowSnapshot = {
    name: draft.name,
    definition: { start: null, steps: [] },
    triggers: { keywords: [], firstMessage: false },
  };
  const before = from === 0 ? empty : await getFlowVersion(db, id, from);
  const after = to === null ? draft : await getFlowVersion(db, id, to);
  return diffFlowSnapshots(before, after);
}

/** Copies a version's steps and triggers into the draft (not published: publish to make it live). */
export async function restoreFlowVersion(db: TDb, actor: TActor, id: string, version: number): Promise<TFlow> {
  return db.transaction(async (tx) => {
    const before = toFlow(await findFlow(tx, id, true));
    const snapshot = await getFlowVersion(tx, id, version);
    const [row] = await tx
      .update(flows)
      .set({
        definition: snapshot.definition,
        triggers: snapshot.triggers,
        updatedAt: new Date(),
      })
      .where(eq(flows.id, id))
      .returning();
    const restored = toFlow(row!);
    await recordAudit(tx, actor, {
      action: "restore",
      entity: "flow",
      entityId: id,
      before: { definition: before.definition, triggers: before.triggers },
      after: { version, definition: restored.definition, triggers: restored.triggers },
    });
    return restored;
  });
}

export const FLOW_EXPORT_FORMAT = "switchboard.flow";

/** A flow as one JSON document (its draft), for another Switchboard to import. */
export async function exportFlow(db: TDbOrTx, id: string) {
  const flow = toFlow(await findFlow(db, id));
  return {
    format: FLOW_EXPORT_FORMAT,
    version: 1,
    name: flow.name,
    description: flow.description,
    triggers: flow.triggers,
    definition: flow.definition,
  };
}

export const ZFlowExport = z
  .object({
    format: z.literal(FLOW_EXPORT_FORMAT, "Not a Switchboard flow export"),
    version: z.literal(1, "Unknown flow export version"),
  })
  .extend(ZFlowInput.omit({ enabled: true }).shape)
  .strict();

/**
 * Creates a new flow from an exported document (validated whole first: nothing half-imported);
 * a name another flow has becomes "X (2)". Not published.
 */
export async function importFlow(db: TDb, actor: TActor, document: unknown): Promise<TFlow> {
  const parsed = ZFlowExport.safeParse(document);
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(
      parsed.error.issues.slice(0, 50).map((issue) => [issue.path.join(".") || "(document)", issue.message]),
    );
    throw new AppError("BAD_REQUEST", "The file is not a valid flow; nothing was imported.", fieldErrors);
  }
  const { name, description, triggers, definition } = parsed.data;
  const created = await createFlow(db, actor, {
    name: await freeName(db, name),
    description,
    enabled: true,
    triggers,
    definition,
  });
  await recordAudit(db, actor, {
    action: "import",
    entity: "flow",
    entityId: created.id,
    after: { name: created.name },
  });
  return created;
}

export type TFlowEditorContext = {
  flows: { id: string; name: string }[];
  fields: { key: string; label: string; type: string }[];
};

/** What the editor offers to pick from: flows (go to flow) and contact fields (set, branch). */
export async function getFlowEditorContext(db: TDbOrTx): Promise<TFlowEditorContext> {
  const [flowRows, fieldRows] = await Promise.all([
    db
      .select({ id: flows.id, name: flows.name })
      .from(flows)
      .orderBy(asc(sql`lower(${flows.name})`)),
    db
      .select({ key: contactFields.key, label: contactFields.label, type: contactFields.type })
      .from(contactFields)
      .orderBy(asc(contactFields.position), asc(contactFields.key)),
  ]);
  return { flows: flowRows, fields: fieldRows };
}
