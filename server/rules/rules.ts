import { and, asc, desc, eq, inArray, isNotNull, max, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { flows, ruleVersions, rules } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { assertRuleAssetsExist } from "./media";
import { ZRuleInput, type TRule, type TRuleInput } from "./schema";

/** Serialises publishing (version numbers) and edits that rewrite the whole draft. */
export const RULES_LOCK = 7_347;

type TRuleRow = typeof rules.$inferSelect;

function toRule(row: TRuleRow): TRule {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    priority: row.priority,
    conditions: row.conditions as TRule["conditions"],
    actions: row.actions as TRule["actions"],
    stopOnMatch: row.stopOnMatch,
    cooldownS: row.cooldownS,
    schedule: (row.schedule as TRule["schedule"]) ?? null,
  };
}

function fields(rule: ReturnType<typeof ZRuleInput.parse>) {
  return { ...rule, schedule: rule.schedule ?? null };
}

/** The draft ruleset, in the order it runs (priority, highest first). */
export async function listDraftRules(db: TDbOrTx): Promise<TRule[]> {
  const rows = await db.select().from(rules).orderBy(desc(rules.priority), asc(rules.createdAt), asc(rules.id));
  return rows.map(toRule);
}

export async function createRule(db: TDb, actor: TActor, input: TRuleInput): Promise<TRule> {
  const rule = ZRuleInput.parse(input);
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(rules).values(fields(rule)).returning();
    const created = toRule(row!);
    await recordAudit(tx, actor, { action: "create", entity: "rule", entityId: created.id, after: created });
    return created;
  });
}

export async function updateRule(db: TDb, actor: TActor, id: string, input: TRuleInput): Promise<TRule> {
  const rule = ZRuleInput.parse(input);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(rules).where(eq(rules.id, id)).for("update");
    if (!before) throw new AppError("NOT_FOUND", "This rule no longer exists.");
    const [row] = await tx
      .update(rules)
      .set({ ...fields(rule), updatedAt: new Date() })
      .where(eq(rules.id, id))
      .returning();
    const updated = toRule(row!);
    await recordAudit(tx, actor, {
      action: "update",
      entity: "rule",
      entityId: id,
      before: toRule(before),
      after: updated,
    });
    return updated;
  });
}

export async function deleteRule(db: TDb, actor: TActor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(rules).where(eq(rules.id, id)).returning();
    if (!row) throw new AppError("NOT_FOUND", "This rule no longer exists.");
    await recordAudit(tx, actor, { action: "delete", entity: "rule", entityId: id, before: toRule(row) });
  });
}

export const ZReorderInput = z.object({ ids: z.array(z.uuid()).min(1).max(1_000) });

/** Sets priorities from an order (first runs first): the editor's drag to reorder. */
export async function reorderRules(db: TDb, actor: TActor, input: z.infer<typeof ZReorderInput>): Promise<TRule[]> {
  const { ids } = ZReorderInput.parse(input);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${RULES_LOCK}, 0)`);
    const current = await listDraftRules(tx);
    if (current.length !== ids.length || !current.every((rule) => ids.includes(rule.id))) {
      throw new AppError("CONFLICT", "The rules changed while you were reordering them; reload and try again.");
    }
    for (const [index, id] of ids.entries()) {
      await tx
        .update(rules)
        .set({ priority: (ids.length - index) * 10, updatedAt: new Date() })
        .where(eq(rules.id, id));
    }
    await recordAudit(tx, actor, { action: "reorder", entity: "rule", after: { ids } });
    return listDraftRules(tx);
  });
}

/** The snapshot a version holds. */
export const ZSnapshot = z.array(ZRuleInput.extend({ id: z.uuid() }));

export type TVersionSummary = {
  id: string;
  version: number;
  note: string;
  publishedAt: Date;
  publishedBy: string | null;
  rules: number;
};

/** The published version the worker runs, or null before the first publish. */
export async function getPublishedVersion(
  db: TDbOrTx,
): Promise<{ id: string; version: number; rules: TRule[] } | null> {
  const [row] = await db.select().from(ruleVersions).orderBy(desc(ruleVersions.version)).limit(1);
  return row ? { id: row.id, version: row.version, rules: ZSnapshot.parse(row.snapshot) } : null;
}

/** Just the id and number of the published version (checked before every batch of messages). */
export async function getPublishedVersionId(db: TDbOrTx): Promise<{ id: string; version: number } | null> {
  const [row] = await db
    .select({ id: ruleVersions.id, version: ruleVersions.version })
    .from(ruleVersions)
    .orderBy(desc(ruleVersions.version))
    .limit(1);
  return row ?? null;
}

/**
 * Publishes `snapshot` as the next ruleset version inside `tx` (publish, rollback and import):
 * refused when a reply's library file is gone or a "start flow" names a flow not published.
 */
export async function insertVersion(tx: TDbOrTx, actor: TActor, snapshot: TRule[], note: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(${RULES_LOCK}, 0)`);
  // A reply's library file deleted meanwhile: refused, naming the rule (the editor shows it).
  await assertRuleAssetsExist(tx, snapshot);
  // A "start flow" action whose flow was deleted or never published would start nothing.
  await assertRuleFlowsPublished(tx, snapshot);
  const [{ latest } = { latest: 0 }] = await tx.select({ latest: max(ruleVersions.version) }).from(ruleVersions);
  const version = (latest ?? 0) + 1;
  const [row] = await tx
    .insert(ruleVersions)
    .values({ version, snapshot, note, publishedBy: actor?.id ?? null })
    .returning({ id: ruleVersions.id, version: ruleVersions.version });
  await recordAudit(tx, actor, {
    action: "publish",
    entity: "ruleset",
    entityId: String(version),
    after: { note, rules: snapshot.length },
  });
  return row!;
}

export const ZPublishInput = z.object({ note: z.string().trim().max(500).default("") });

/** Publishes the draft as a new immutable version; workers use it from their next message. */
export async function publishDraft(db: TDb, actor: TActor, input: z.input<typeof ZPublishInput> = {}) {
  const { note } = ZPublishInput.parse(input);
  return db.transaction(async (tx) => insertVersion(tx, actor, await listDraftRules(tx), note));
}

export async function listVersions(db: TDbOrTx): Promise<TVersionSummary[]> {
  const rows = await db
    .select({
      id: ruleVersions.id,
      version: ruleVersions.version,
      note: ruleVersions.note,
      publishedAt: ruleVersions.publishedAt,
      publishedBy: ruleVersions.publishedBy,
      rules: sql<number>`jsonb_array_length(${ruleVersions.snapshot})::int`,
    })
    .from(ruleVersions)
    .orderBy(desc(ruleVersions.version))
    .limit(200);
  return rows;
}

export async function getVersion(db: TDbOrTx, version: number): Promise<TRule[]> {
  const [row] = await db.select().from(ruleVersions).where(eq(ruleVersions.version, version));
  if (!row) throw new AppError("NOT_FOUND", serverText("rules.noSuchVersion", { version }));
  return ZSnapshot.parse(row.snapshot);
}

/** Replaces the draft with a version's rules and publishes them as a new version (one click rollback). */
export async function restoreVersion(db: TDb, actor: TActor, version: number) {
  const snapshot = await getVersion(db, version);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${RULES_LOCK}, 0)`);
    await replaceDraft(tx, snapshot);
    return insertVersion(tx, actor, snapshot, `Restored version ${version}`);
  });
}

async function replaceDraft(tx: TDbOrTx, snapshot: TRule[]) {
  await tx.delete(rules).where(sql`true`); // the whole draft is replaced
  if (snapshot.length > 0)
    await tx.insert(rules).values(snapshot.map(({ id, ...rule }) => ({ ...fields(ZRuleInput.parse(rule)), id })));
}

/**
 * JSON with object keys sorted: a snapshot read back from jsonb (keys in jsonb's order) and the
 * draft (keys in the schema's order) hold the same rule in different key orders.
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

/** What changed between two rulesets, rule by rule (matched by id). */
export function diffRulesets(before: readonly TRule[], after: readonly TRule[]) {
  const old = new Map(before.map((rule) => [rule.id, rule]));
  const now = new Map(after.map((rule) => [rule.id, rule]));
  const changedFields = (a: TRule, b: TRule) =>
    (Object.keys(b) as (keyof TRule)[]).filter((key) => canonicalJson(a[key]) !== canonicalJson(b[key]));
  return {
    added: after.filter((rule) => !old.has(rule.id)).map((rule) => ({ id: rule.id, name: rule.name })),
    removed: before.filter((rule) => !now.has(rule.id)).map((rule) => ({ id: rule.id, name: rule.name })),
    edited: after
      .filter((rule) => old.has(rule.id) && changedFields(old.get(rule.id)!, rule).length > 0)
      .map((rule) => ({ id: rule.id, name: rule.name, fields: changedFields(old.get(rule.id)!, rule) })),
  };
}

/** A version against the one before it (version 1 against nothing). */
export async function diffVersion(db: TDbOrTx, version: number) {
  const after = await getVersion(db, version);
  const before = version > 1 ? await getVersion(db, version - 1).catch(() => []) : [];
  return diffRulesets(before, after);
}

/**
 * What publishing now would change: the draft against the published version's snapshot, rule by
 * rule (before the first publish, every draft rule is added). The Rules page shows it before anyone
 * publishes.
 */
export async function diffDraft(db: TDbOrTx) {
  const [published, draft] = await Promise.all([getPublishedVersion(db), listDraftRules(db)]);
  const diff = diffRulesets(published?.rules ?? [], draft);
  return {
    publishedVersion: published?.version ?? null,
    hasChanges: diff.added.length + diff.removed.length + diff.edited.length > 0,
    ...diff,
  };
}

/** The ruleset as a JSON document others can import. */
export async function exportDraft(db: TDbOrTx) {
  return {
    format: "switchboard.rules",
    version: 1,
    rules: (await listDraftRules(db)).map(({ id: _id, ...rule }) => rule),
  };
}

export const ZImportInput = z.object({
  format: z.literal("switchboard.rules", "Not a Switchboard ruleset export"),
  version: z.literal(1, "Unknown export version"),
  rules: z.array(ZRuleInput).max(1_000),
});

/** Replaces the draft with an imported ruleset (validated whole first: nothing half-imported). */
export async function importDraft(db: TDb, actor: TActor, document: unknown): Promise<TRule[]> {
  const parsed = ZImportInput.safeParse(document);
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(
      parsed.error.issues.slice(0, 50).map((issue) => [issue.path.join(".") || "(document)", issue.message]),
    );
    throw new AppError("BAD_REQUEST", "The file is not a valid ruleset; nothing was imported.", fieldErrors);
  }
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${RULES_LOCK}, 0)`);
    const before = await listDraftRules(tx);
    await tx.delete(rules).where(sql`true`); // the whole draft is replaced
    if (parsed.data.rules.length > 0) await tx.insert(rules).values(parsed.data.rules.map(fields));
    const after = await listDraftRules(tx);
    await recordAudit(tx, actor, {
      action: "import",
      entity: "ruleset",
      before: { rules: before.length },
      after: { rules: after.length },
    });
    return after;
  });
}

/** Refuses a ruleset whose `start_flow` action names a flow that does not exist or was never published, naming the rule. */
async function assertRuleFlowsPublished(tx: TDbOrTx, rules: readonly TRule[]): Promise<void> {
  const starts = rules.flatMap((rule) =>
    rule.actions.flatMap((action) =>
      action.type === "start_flow" ? [{ rule: rule.name, flowId: action.flowId }] : [],
    ),
  );
  if (starts.length === 0) return;
  const found = await tx
    .select({ id: flows.id })
    .from(flows)
    .where(
      and(inArray(flows.id, [...new Set(starts.map((start) => start.flowId))]), isNotNull(flows.publishedVersion)),
    );
  const published = new Set(found.map((row) => row.id));
  const missing = starts.find((start) => !published.has(start.flowId));
  if (missing) throw new AppError("CONFLICT", serverText("flowRuntime.ruleFlowMissing", { rule: missing.rule }));
}
