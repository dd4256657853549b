import { createHash, randomUUID } from "node:crypto";
import { and, eq, max, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import {
  contactFields,
  contextProfiles,
  flows,
  knowledgeCollections,
  knowledgeSources,
  profileCollections,
  rules,
  settings,
  teams,
  webhooks,
} from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { ZCreateContactFieldInput } from "~/server/contacts/fields";
import { AppError } from "~/server/errors";
import { ZFlowInput } from "~/server/flows/definition";
import {
  assertFlowDefinitionPublishable,
  assertKeywordsFree,
  FLOWS_LOCK,
  insertFlowVersion,
} from "~/server/flows/flows";
import { serverText, type TServerText } from "~/server/i18n/domain";
import { enqueue } from "~/server/jobs/boss";
import { encryptSecret } from "~/server/lib/secrets";
import { pgArray } from "~/server/lib/sql";
import { ZCollectionInput } from "~/server/knowledge/sources";
import { ZProfileInput } from "~/server/profiles/profiles";
import { insertVersion, RULES_LOCK } from "~/server/rules/rules";
import { ZRuleInput, type TRule } from "~/server/rules/schema";
import { ZOrgSettings } from "~/server/settings/schema";
import { getOrgSettings, ORG_KEY } from "~/server/settings/settings";
import { ZCreateTeamInput } from "~/server/teams/teams";
import { ZEndpointInput, type TWebhookAdminConfig } from "~/server/webhooks/endpoints";
import { generateSigningSecret } from "~/server/webhooks/signing";
import { assertSafeWebhookUrl } from "~/server/webhooks/url-safety";
import {
  CONFIG_FORMAT,
  CONFIG_VERSION,
  exportConfiguration,
  loadReferenceNames,
  REFERENCE_KEYS,
  REFERENCE_KIND_OF,
  rewriteKeys,
  ZConfigDocument,
  type TConfigDocument,
  type TExportedConfiguration,
  type TReferenceKey,
} from "./document";

export const CONFIG_KINDS = [
  "settings",
  "contactFields",
  "teams",
  "knowledge",
  "profiles",
  "flows",
  "rules",
  "publishedRules",
  "webhooks",
] as const;
export type TConfigKind = (typeof CONFIG_KINDS)[number];

export type TFieldChange = { field: string; before: string; after: string };
/** What an import does to one kind: things it adds, changes (field by field), leaves alone, removes, or keeps. */
export type TKindPlan = {
  kind: TConfigKind;
  added: string[];
  changed: { name: string; changes: TFieldChange[] }[];
  unchanged: string[];
  /** In this instance, not in the file, and deleted by the import (only the draft rules: the file's ruleset replaces it). */
  removed: string[];
  /** In this instance, not in the file, and left as they are. */
  kept: string[];
};
export type TImportWarning = { code: "assigneeMissing" | "webhookSecret"; name: string };
export type TImportPlan = {
  /** Names this exact plan: apply refuses to run when the instance or the file changed since. */
  planHash: string;
  hasChanges: boolean;
  kinds: TKindPlan[];
  warnings: TImportWarning[];
};

/** Text stored as the reason an imported endpoint is off (shown on the Webhooks page). */
export const IMPORTED_WEBHOOK_REASON =
  "Imported from a configuration file without its secret: rotate the secret, give it to the receiver, then enable it.";

/** JSON with object keys sorted, so equal configurations compare (and hash) equal. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function shortJson(value: unknown): string {
  const text = value === undefined ? "" : typeof value === "string" ? value : stable(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

const lower = (name: string) => name.toLocaleLowerCase("en");

type TErrors = Record<string, string | TServerText>;

function invalid(fieldErrors: TErrors): never {
  throw new AppError("BAD_REQUEST", serverText("configTransfer.errors.invalid"), fieldErrors);
}

/** Runs a publish check; its refusal becomes the file's error on `label` (nothing is written: the transaction ends). */
async function asFileError<T>(label: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof AppError) invalid({ [label]: error.message });
    throw error;
  }
}

function issuesOf(label: string, error: z.ZodError, into: TErrors) {
  for (const issue of error.issues.slice(0, 5)) {
    const where = issue.path.length > 0 ? `${label} › ${issue.path.join(".")}` : label;
    if (Object.keys(into).length < 50) into[where] = issue.message;
  }
}

/** Deeper than any real configuration nests (every walk over the file recurses). */
export const MAX_DOCUMENT_DEPTH = 64;
/** More JSON values (objects, arrays, scalars) than any real configuration has. */
export const MAX_DOCUMENT_NODES = 200_000;

/** Whether `raw` stays within MAX_DOCUMENT_DEPTH and MAX_DOCUMENT_NODES: walked without recursion. */
function withinLimits(raw: unknown): boolean {
  const stack: [unknown, number][] = [[raw, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    nodes += 1;
    if (nodes > MAX_DOCUMENT_NODES || depth > MAX_DOCUMENT_DEPTH) return false;
    if (value === null || typeof value !== "object") continue;
    for (const inner of Array.isArray(value) ? value : Object.values(value)) stack.push([inner, depth + 1]);
  }
  return true;
}

/** Reads the outer frame: refuses another file, a newer version, a malformed one, with what is wrong. */
function readDocument(raw: unknown): TConfigDocument {
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new AppError("BAD_REQUEST", serverText("configTransfer.errors.notConfig"));
  // Deep nesting would overflow the stack of every recursive walk below (a 500); refuse it first.
  if (!withinLimits(raw)) throw new AppError("BAD_REQUEST", serverText("configTransfer.errors.tooDeep"));
  const frame = raw as Record<string, unknown>;
  if (frame.format !== CONFIG_FORMAT) throw new AppError("BAD_REQUEST", serverText("configTransfer.errors.notConfig"));
  if (typeof frame.version !== "number" || !Number.isInteger(frame.version) || frame.version < 1)
    throw new AppError("BAD_REQUEST", serverText("configTransfer.errors.notConfig"));
  if (frame.version > CONFIG_VERSION)
    throw new AppError(
      "BAD_REQUEST",
      serverText("configTransfer.errors.newerVersion", { version: frame.version, supported: CONFIG_VERSION }),
    );
  const parsed = ZConfigDocument.safeParse(raw);
  if (!parsed.success) {
    const errors: TErrors = {};
    issuesOf("file", parsed.error, errors);
    invalid(errors);
  }
  // Endpoints are stored with their URL normalised (a lower-case host…): matched the same way.
  return { ...parsed.data, webhooks: parsed.data.webhooks.map((hook) => ({ ...hook, url: normalUrl(hook.url) })) };
}

/** `url` as an endpoint stores it (URL.toString()); a malformed one as it is (its schema refuses it). */
function normalUrl(url: string): string {
  try {
    return new URL(url.trim()).toString();
  } catch {
    return url;
  }
}

type TNames = {
  profiles: Map<string, string>;
  flows: Map<string, string>;
  teams: Map<string, string>;
  users: Map<string, string>;
  assets: Map<string, string>;
  collections: Map<string, string>;
};
const KIND_OF_REF: Record<TReferenceKey, keyof TNames> = {
  profileId: "profiles",
  flowId: "flows",
  teamId: "teams",
  assigneeId: "users",
  mediaAssetId: "assets",
};

/** name (lower-cased) → id, for what exists here plus (with made-up ids) what the file adds. */
async function nameIndex(db: TDbOrTx, document: TConfigDocument): Promise<TNames> {
  const ids = await loadReferenceNames(db);
  const invert = (byId: Map<string, string>) => new Map([...byId].map(([id, name]) => [lower(name), id]));
  const index: TNames = {
    profiles: invert(ids.profileId),
    flows: invert(ids.flowId),
    teams: invert(ids.teamId),
    users: invert(ids.assigneeId),
    assets: invert(ids.mediaAssetId),
    collections: new Map(
      (
        await db.select({ id: knowledgeCollections.id, name: knowledgeCollections.name }).from(knowledgeCollections)
      ).map((row) => [lower(row.name), row.id]),
    ),
  };
  const add = (map: Map<string, string>, name: string) => {
    if (!map.has(lower(name))) map.set(lower(name), randomUUID());
  };
  for (const profile of document.profiles) add(index.profiles, profile.name);
  for (const flow of document.flows) add(index.flows, flow.name);
  for (const team of document.teams) add(index.teams, team.name);
  for (const collection of document.knowledge) add(index.collections, collection.name);
  return index;
}

type TResolver = { resolve: (value: unknown) => unknown; names: (value: unknown) => unknown };

/** Turns `…Ref` names back into ids (and ids into names, to compare), collecting what cannot be found. */
function resolver(index: TNames, label: string, errors: TErrors, warnings: TImportWarning[]): TResolver {
  const nameById = new Map<string, string>();
  for (const map of Object.values(index)) for (const [name, id] of map) nameById.set(id, name);
  const original = new Map<string, string>();
  return {
    resolve: (value) =>
      rewriteKeys(value, REFERENCE_KIND_OF, (refKey, name) => {
        const idKey = REFERENCE_KIND_OF[refKey as keyof typeof REFERENCE_KIND_OF];
        if (name === null || name === undefined) return null;
        if (typeof name !== "string") return name;
        const id = index[KIND_OF_REF[idKey]].get(lower(name));
        if (id) {
          original.set(id, name);
          return id;
        }
        if (idKey === "assigneeId") {
          if (!warnings.some((w) => w.code === "assigneeMissing" && w.name === name))
            warnings.push({ code: "assigneeMissing", name });
          return null;
        }
        const key = idKey === "mediaAssetId" ? "missingFile" : "missingReference";
        if (Object.keys(errors).length < 50) errors[label] = serverText(`configTransfer.errors.${key}`, { name });
        return name;
      }),
    names: (value) =>
      rewriteKeys(value, REFERENCE_KEYS, (_key, id) =>
        typeof id === "string" ? (original.get(id) ?? nameById.get(id) ?? null) : null,
      ),
  };
}

type TNormalized = {
  settings: Record<string, unknown>;
  contactFields: Map<string, Record<string, unknown>>;
  teams: Map<string, Record<string, unknown>>;
  knowledge: Map<string, Record<string, unknown>>;
  profiles: Map<string, Record<string, unknown>>;
  flows: Map<string, Record<string, unknown>>;
  rules: Map<string, Record<string, unknown>>;
  publishedRules: Map<string, Record<string, unknown>>;
  webhooks: Map<string, Record<string, unknown>>;
};

function byName<T extends Record<string, unknown>>(items: T[], keyOf: (item: T) => string, display = keyOf) {
  const out = new Map<string, T & { __name: string }>();
  for (const item of items) {
    let key = keyOf(item);
    let name = display(item);
    for (let n = 2; out.has(key); n += 1) {
      key = `${keyOf(item)} (${n})`;
      name = `${display(item)} (${n})`;
    }
    out.set(key, { ...item, __name: name });
  }
  return out;
}

function rulesMap(list: readonly Record<string, unknown>[]) {
  return byName(
    list.map((rule, position): Record<string, unknown> => ({ ...rule, position })),
    (rule) => lower(String(rule.name)),
    (rule) => String(rule.name),
  );
}

function webhookFields(hook: { url: string; description: string; events: string[] }) {
  return { url: hook.url, description: hook.description, events: [...hook.events].sort() };
}

/** The instance as the file would describe it (the "before" side of the diff). */
function normalizeCurrent(current: TExportedConfiguration): TNormalized {
  return {
    settings: current.settings,
    contactFields: byName(current.contactFields, (field) => field.key),
    teams: byName(
      current.teams,
      (team) => lower(team.name),
      (team) => team.name,
    ),
    knowledge: byName(
      current.knowledge,
      (item) => lower(item.name),
      (item) => item.name,
    ),
    profiles: byName(
      current.profiles,
      (item) => lower(item.name),
      (item) => item.name,
    ),
    flows: byName(
      current.flows,
      (item) => lower(item.name),
      (item) => item.name,
    ),
    rules: rulesMap(current.rules.draft),
    publishedRules: new Map(
      current.rules.published ? [["published", { __name: "published", rules: current.rules.published }]] : [],
    ),
    webhooks: byName(current.webhooks.map(webhookFields), (hook) => hook.url),
  };
}

type TValidated = {
  document: TConfigDocument;
  normalized: TNormalized;
  /** Parsed parts with ids resolved against `index` (made-up ids for what the file adds). */
  draftRules: TRule[];
  publishedRules: TRule[] | null;
  flows: { name: string; input: z.output<typeof ZFlowInput>; published: z.output<typeof ZFlowInput> | null }[];
  profiles: { input: z.output<typeof ZProfileInput>; collections: string[] }[];
  teams: z.output<typeof ZCreateTeamInput>[];
  index: TNames;
  warnings: TImportWarning[];
};

/** Validates every part with its own domain's schema, references resolved; collects every error at once. */
async function validate(db: TDbOrTx, raw: unknown): Promise<TValidated> {
  const document = readDocument(raw);
  const index = await nameIndex(db, document);
  const errors: TErrors = {};
  const warnings: TImportWarning[] = [];

  // Things are matched by name: two of a kind with one name would be one thing written twice.
  const named: [string, string[]][] = [
    ["contactFields", document.contactFields.map((field) => field.key)],
    ["teams", document.teams.map((team) => team.name)],
    ["knowledge", document.knowledge.map((collection) => collection.name)],
    ["profiles", document.profiles.map((profile) => profile.name)],
    ["flows", document.flows.map((flow) => flow.name)],
    ["webhooks", document.webhooks.map((hook) => hook.url)],
  ];
  for (const [part, names] of named) {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(lower(name.trim())))
        errors[`${part}: ${name}`] = serverText("configTransfer.errors.duplicate", { name });
      seen.add(lower(name.trim()));
    }
  }

  const fieldRows = await db.select({ key: contactFields.key, type: contactFields.type }).from(contactFields);
  const fieldTypes = new Map(fieldRows.map((row) => [row.key, row.type]));
  const fields = document.contactFields.map((field) => {
    const parsed = ZCreateContactFieldInput.safeParse(field);
    if (!parsed.success) issuesOf(`contactFields: ${field.key}`, parsed.error, errors);
    const type = fieldTypes.get(field.key);
    if (type && type !== field.type)
      errors[`contactFields: ${field.key}`] = serverText("configTransfer.errors.fieldType", { type });
    return parsed.success ? parsed.data : field;
  });

  const teamInputs = document.teams.flatMap((team) => {
    const parsed = ZCreateTeamInput.safeParse(team);
    if (!parsed.success) issuesOf(`teams: ${team.name}`, parsed.error, errors);
    return parsed.success ? [parsed.data] : [];
  });

  const knowledge = document.knowledge.map((collection) => {
    const parsed = ZCollectionInput.safeParse({
      name: collection.name,
      description: collection.description,
      language: collection.language,
    });
    if (!parsed.success) issuesOf(`knowledge: ${collection.name}`, parsed.error, errors);
    return { ...collection, ...(parsed.success ? parsed.data : {}) };
  });

  const profiles = document.profiles.flatMap((profile) => {
    const { collections, ...rest } = profile;
    const parsed = ZProfileInput.safeParse({ ...rest, collectionIds: [] });
    if (!parsed.success) issuesOf(`profiles: ${profile.name}`, parsed.error, errors);
    for (const name of collections)
      if (!index.collections.has(lower(name)))
        errors[`profiles: ${profile.name}`] = serverText("configTransfer.errors.missingReference", { name });
    return parsed.success ? [{ input: parsed.data, collections: [...collections].sort() }] : [];
  });

  const normalizedFlows = new Map<string, Record<string, unknown>>();
  const flowInputs = document.flows.flatMap((flow) => {
    const label = `flows: ${flow.name}`;
    const refs = resolver(index, label, errors, warnings);
    const draft = ZFlowInput.safeParse({
      name: flow.name,
      description: flow.description,
      enabled: flow.enabled,
      definition: refs.resolve(flow.definition),
      triggers: flow.triggers,
    });
    if (!draft.success) issuesOf(label, draft.error, errors);
    const published = flow.published
      ? ZFlowInput.safeParse({
          name: flow.published.name,
          definition: refs.resolve(flow.published.definition),
          triggers: flow.published.triggers,
        })
      : null;
    if (published && !published.success) issuesOf(`${label} (published)`, published.error, errors);
    if (!draft.success || (published && !published.success)) return [];
    const publishedData = published?.success ? published.data : null;
    normalizedFlows.set(lower(flow.name), {
      __name: flow.name,
      name: draft.data.name,
      description: draft.data.description,
      enabled: draft.data.enabled,
      definition: refs.names(draft.data.definition),
      triggers: draft.data.triggers,
      published: publishedData
        ? {
            name: publishedData.name,
            definition: refs.names(publishedData.definition),
            triggers: publishedData.triggers,
          }
        : null,
    });
    return [{ name: flow.name, input: draft.data, published: publishedData }];
  });

  const parseRules = (list: readonly Record<string, unknown>[], part: string) =>
    list.flatMap((rule, position) => {
      const label = `rules (${part}) ${position + 1}: ${typeof rule.name === "string" ? rule.name : ""}`;
      const refs = resolver(index, label, errors, warnings);
      const parsed = ZRuleInput.safeParse(refs.resolve(rule));
      if (!parsed.success) {
        issuesOf(label, parsed.error, errors);
        return [];
      }
      return [
        { rule: { ...parsed.data, id: randomUUID() }, named: refs.names(parsed.data) as Record<string, unknown> },
      ];
    });
  const draftRules = parseRules(document.rules.draft, "draft");
  const publishedRules = document.rules.published ? parseRules(document.rules.published, "published") : null;

  const hooks = document.webhooks.map((hook) => {
    const parsed = ZEndpointInput.safeParse(hook);
    if (!parsed.success) issuesOf(`webhooks: ${hook.url}`, parsed.error, errors);
    return parsed.success ? parsed.data : { ...hook, events: hook.events };
  });

  if (Object.keys(errors).length > 0) invalid(errors);

  const normalized: TNormalized = {
    settings: document.settings,
    contactFields: byName(
      fields.map((field) => ({ key: field.key, label: field.label, type: field.type, options: field.options })),
      (field) => field.key,
    ),
    teams: byName(
      teamInputs.map((team) => ({ ...team })),
      (team) => lower(team.name),
      (team) => team.name,
    ),
    knowledge: byName(
      knowledge.map((collection) => ({ ...collection })),
      (item) => lower(item.name),
      (item) => item.name,
    ),
    profiles: byName(
      profiles.map(({ input, collections }) => {
        const rest = profileFields(input);
        return { ...rest, relationships: [...new Set(rest.relationships)], collections };
      }),
      (item) => lower(item.name),
      (item) => item.name,
    ),
    flows: normalizedFlows,
    rules: rulesMap(draftRules.map((entry) => entry.named)),
    publishedRules: new Map(
      publishedRules ? [["published", { __name: "published", rules: publishedRules.map((entry) => entry.named) }]] : [],
    ),
    webhooks: byName(hooks.map(webhookFields), (hook) => hook.url),
  };
  for (const hook of hooks) warnings.push({ code: "webhookSecret", name: hook.url });

  return {
    document,
    normalized,
    draftRules: draftRules.map((entry) => entry.rule),
    publishedRules: publishedRules ? publishedRules.map((entry) => entry.rule) : null,
    flows: flowInputs,
    profiles,
    teams: teamInputs,
    index,
    warnings,
  };
}

/** The normalized configuration with its maps as objects (JSON drops maps). */
function plain(normalized: TNormalized) {
  return Object.fromEntries(
    Object.entries(normalized).map(([kind, value]) => [
      kind,
      value instanceof Map ? Object.fromEntries([...value].map(([key, item]) => [key, item])) : value,
    ]),
  );
}

/** A profile's own columns (its collections are links, compared by name). */
function profileFields({ collectionIds: _collectionIds, ...fields }: z.output<typeof ZProfileInput>) {
  return fields;
}

function diffFields(before: Record<string, unknown>, after: Record<string, unknown>, ignore: string[] = []) {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => key !== "__name" && !ignore.includes(key))
    .sort();
  return keys.flatMap((field) =>
    stable(before[field]) === stable(after[field])
      ? []
      : [{ field, before: shortJson(before[field]), after: shortJson(after[field]) }],
  );
}

function diffKind(
  kind: TConfigKind,
  before: Map<string, Record<string, unknown>>,
  after: Map<string, Record<string, unknown>>,
  removes: boolean,
): TKindPlan {
  const plan: TKindPlan = { kind, added: [], changed: [], unchanged: [], removed: [], kept: [] };
  for (const [key, item] of after) {
    const name = String(item.__name);
    const existing = before.get(key);
    if (!existing) plan.added.push(name);
    else {
      const changes = diffFields(existing, item);
      if (changes.length > 0) plan.changed.push({ name, changes });
      else plan.unchanged.push(name);
    }
  }
  for (const [key, item] of before) if (!after.has(key)) (removes ? plan.removed : plan.kept).push(String(item.__name));
  return plan;
}

function diffAll(current: TNormalized, incoming: TNormalized): TKindPlan[] {
  const settingsAfter = { ...current.settings, ...incoming.settings };
  const settingChanges = diffFields(current.settings, settingsAfter);
  const settingsPlan: TKindPlan = {
    kind: "settings",
    added: [],
    changed: settingChanges.length > 0 ? [{ name: "settings", changes: settingChanges }] : [],
    unchanged: settingChanges.length > 0 ? [] : ["settings"],
    removed: [],
    kept: [],
  };
  return [
    settingsPlan,
    diffKind("contactFields", current.contactFields, incoming.contactFields, false),
    diffKind("teams", current.teams, incoming.teams, false),
    diffKind("knowledge", current.knowledge, incoming.knowledge, false),
    diffKind("profiles", current.profiles, incoming.profiles, false),
    diffKind("flows", current.flows, incoming.flows, false),
    diffKind("rules", current.rules, incoming.rules, true),
    // No published ruleset in the file: the one here stays.
    incoming.publishedRules.size === 0
      ? diffKind("publishedRules", current.publishedRules, current.publishedRules, false)
      : diffKind("publishedRules", current.publishedRules, incoming.publishedRules, false),
    diffKind("webhooks", current.webhooks, incoming.webhooks, false),
  ];
}

async function planWith(db: TDbOrTx, raw: unknown) {
  const validated = await validate(db, raw);
  const current = normalizeCurrent(await exportConfiguration(db));
  const kinds = diffAll(current, validated.normalized);
  const planHash = createHash("sha256")
    .update(stable({ current: plain(current), incoming: plain(validated.normalized) }))
    .digest("hex");
  const plan: TImportPlan = {
    planHash,
    hasChanges: kinds.some((kind) => kind.added.length + kind.changed.length + kind.removed.length > 0),
    kinds,
    warnings: validated.warnings,
  };
  return { plan, validated };
}

/**
 * What importing `document` would change here, kind by kind (added, changed field by field,
 * unchanged, removed or kept), without writing anything. A file that is not a configuration
 * export, is newer than this build, or has invalid parts is refused with what is wrong.
 */
export async function planImport(db: TDbOrTx, document: unknown): Promise<TImportPlan> {
  return (await planWith(db, document)).plan;
}

export type TApplyImportOptions = {
  /** The plan the person reviewed: refused when the instance or the file has changed since. */
  expectedPlanHash?: string;
  /** Sends the indexing jobs of new or changed knowledge sources (in the transaction). */
  boss: PgBoss;
  /** New webhook endpoints get a fresh secret encrypted under APP_SECRET; their URLs pass the SSRF check. */
  webhooks: TWebhookAdminConfig;
};

/**
 * Imports a configuration file in one transaction, audited: things are matched by name (fields
 * by key, webhooks by URL); the file's draft ruleset replaces the draft here; published rules and
 * flows become new versions here (the worker picks new versions up at its next message). Things
 * the file does not mention are kept. New webhook endpoints get a new secret and stay disabled.
 */
export async function applyImport(
  db: TDb,
  document: unknown,
  actor: TActor,
  options: TApplyImportOptions,
): Promise<TImportPlan> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${RULES_LOCK}, 0)`);
    await tx.execute(sql`select pg_advisory_xact_lock(${FLOWS_LOCK}, 0)`);
    const { plan, validated } = await planWith(tx, document);
    if (options.expectedPlanHash !== undefined && options.expectedPlanHash !== plan.planHash)
      throw new AppError("CONFLICT", serverText("configTransfer.errors.planChanged"));
    const changed = (kind: TConfigKind, name?: string) => {
      const found = plan.kinds.find((entry) => entry.kind === kind)!;
      if (name === undefined) return found.added.length + found.changed.length + found.removed.length > 0;
      return found.added.includes(name) || found.changed.some((entry) => entry.name === name);
    };
    const { document: file, index } = validated;
    const now = new Date();

    if (changed("settings")) {
      const value = ZOrgSettings.parse({ ...(await getOrgSettings(tx)), ...file.settings });
      await tx
        .insert(settings)
        .values({ key: ORG_KEY, value, updatedBy: actor?.id ?? null })
        .onConflictDoUpdate({ target: settings.key, set: { value, updatedBy: actor?.id ?? null, updatedAt: now } });
    }

    // Contact fields, by key (a new one goes after the existing ones).
    const [{ top } = { top: 0 }] = await tx.select({ top: max(contactFields.position) }).from(contactFields);
    let position = (top ?? 0) + 1;
    for (const field of file.contactFields) {
      if (!changed("contactFields", field.key)) continue;
      await tx
        .insert(contactFields)
        .values({ key: field.key, label: field.label, type: field.type, options: field.options, position: position++ })
        .onConflictDoUpdate({
          target: contactFields.key,
          set: { label: field.label, options: field.options, updatedAt: now },
        });
    }

    // Teams (their queue settings, never their members), by name; ids as the plan made them up.
    for (const team of validated.teams) {
      if (!changed("teams", team.name)) continue;
      const id = index.teams.get(lower(team.name))!;
      const values = {
        ...team,
        businessHours: team.businessHours as Record<string, { start: string; end: string }[]> | null,
      };
      await tx
        .insert(teams)
        .values({ id, ...values })
        .onConflictDoUpdate({ target: teams.id, set: { ...values, updatedAt: now } });
    }

    // Knowledge collections and their sources' text (indexed again by the job).
    for (const collection of file.knowledge) {
      if (!changed("knowledge", collection.name)) continue;
      const id = index.collections.get(lower(collection.name))!;
      const values = { name: collection.name, description: collection.description, language: collection.language };
      await tx
        .insert(knowledgeCollections)
        .values({ id, ...values })
        .onConflictDoUpdate({ target: knowledgeCollections.id, set: { ...values, updatedAt: now } });
      const existing = await tx.select().from(knowledgeSources).where(eq(knowledgeSources.collectionId, id));
      const used = new Set<string>();
      for (const source of collection.sources) {
        const same = existing.find(
          (row) =>
            !used.has(row.id) &&
            row.title === source.title &&
            (source.kind === "url"
              ? row.kind === "url" && row.url === source.url && row.refreshHours === source.refreshHours
              : row.kind !== "url" && row.content === source.content),
        );
        if (same) {
          used.add(same.id);
          continue;
        }
        const values =
          source.kind === "url"
            ? { kind: "url" as const, title: source.title, url: source.url, refreshHours: source.refreshHours }
            : {
                kind: "text" as const,
                title: source.title,
                content: source.content,
                sizeBytes: Buffer.byteLength(source.content, "utf8"),
              };
        const [created] = await tx
          .insert(knowledgeSources)
          .values({ collectionId: id, ...values, status: "pending", progress: 0, createdBy: actor?.id ?? null })
          .returning({ id: knowledgeSources.id });
        await enqueue(options.boss, "knowledge.index", { sourceId: created!.id }, { tx });
      }
      // A source of the same title whose text or address the file changes: the file's one replaces it.
      const titles = new Set(collection.sources.map((source) => source.title));
      for (const row of existing)
        if (!used.has(row.id) && titles.has(row.title))
          await tx.delete(knowledgeSources).where(eq(knowledgeSources.id, row.id));
    }

    // Profiles, by name: one default, a relationship belongs to one profile (as the editor saves them).
    for (const { input, collections } of validated.profiles) {
      if (!changed("profiles", input.name)) continue;
      const id = index.profiles.get(lower(input.name))!;
      const fields = profileFields(input);
      const values = { ...fields, relationships: [...new Set(fields.relationships)] };
      if (values.isDefault)
        await tx
          .update(contextProfiles)
          .set({ isDefault: false })
          .where(and(eq(contextProfiles.isDefault, true), sql`${contextProfiles.id} <> ${id}`));
      if (values.relationships.length > 0)
        await tx
          .update(contextProfiles)
          .set({
            relationships: sql`array(select r from unnest(${contextProfiles.relationships}) r where not (r = any(${pgArray(values.relationships, "relationship")})))`,
          })
          .where(
            and(
              sql`${contextProfiles.relationships} && ${pgArray(values.relationships, "relationship")}`,
              sql`${contextProfiles.id} <> ${id}`,
            ),
          );
      await tx
        .insert(contextProfiles)
        .values({ id, ...values })
        .onConflictDoUpdate({ target: contextProfiles.id, set: { ...values, updatedAt: now } });
      await tx.delete(profileCollections).where(eq(profileCollections.profileId, id));
      const collectionIds = collections.map((name) => index.collections.get(lower(name))!);
      if (collectionIds.length > 0)
        await tx
          .insert(profileCollections)
          .values(collectionIds.map((collectionId) => ({ profileId: id, collectionId })));
    }

    // Flows, by name: every new flow exists before any definition points at it (go-to-flow steps).
    const publishing: { id: string; label: string; published: z.output<typeof ZFlowInput>; enabled: boolean }[] = [];
    const flowsPlan = plan.kinds.find((kind) => kind.kind === "flows")!;
    for (const flow of validated.flows) {
      if (!changed("flows", flow.name)) continue;
      const id = index.flows.get(lower(flow.name))!;
      const values = {
        name: flow.input.name,
        description: flow.input.description,
        enabled: flow.input.enabled,
        definition: flow.input.definition as unknown as Record<string, unknown>,
        triggers: flow.input.triggers as unknown as Record<string, unknown>,
      };
      await tx
        .insert(flows)
        .values({ id, ...values })
        .onConflictDoUpdate({ target: flows.id, set: { ...values, updatedAt: now } });
      if (!flow.published) continue; // nothing published in the file: what is published here stays
      const isNew = flowsPlan.added.includes(flow.name);
      const entry = flowsPlan.changed.find((item) => item.name === flow.name);
      if (!isNew && !entry?.changes.some((change) => change.field === "published")) continue;
      publishing.push({ id, label: `flows: ${flow.name}`, published: flow.published, enabled: flow.input.enabled });
    }
    // Published as the Publish button does (its checks, a version, the audit), once every flow exists.
    for (const flow of publishing) {
      await asFileError(flow.label, () => assertFlowDefinitionPublishable(tx, flow.published.definition));
      await insertFlowVersion(tx, actor, flow.id, flow.published, "imported");
    }
    // Keywords once every imported version is in: two enabled flows never start on one keyword.
    for (const flow of publishing)
      if (flow.enabled) await asFileError(flow.label, () => assertKeywordsFree(tx, flow.id, flow.published.triggers));

    // The draft ruleset: the file's replaces this one (in the file's order).
    if (changed("rules")) {
      await tx.delete(rules).where(sql`true`);
      if (validated.draftRules.length > 0)
        await tx.insert(rules).values(
          validated.draftRules.map(({ id, ...rule }, position) => ({
            id,
            ...rule,
            schedule: rule.schedule ?? null,
            // Equal priorities keep the file's order (the list sorts by priority, then creation).
            createdAt: new Date(now.getTime() + position),
          })),
        );
    }
    // The published ruleset: a new version, as publishing does (its checks, the audit); workers switch at their next message.
    if (validated.publishedRules && changed("publishedRules")) {
      const draftIds = new Map(validated.draftRules.map(({ id, ...rule }) => [stable(rule), id]));
      const snapshot = validated.publishedRules.map(({ id, ...rule }) => ({
        ...rule,
        id: draftIds.get(stable(rule)) ?? id,
      }));
      await asFileError("rules (published)", () => insertVersion(tx, actor, snapshot, "imported"));
    }

    // Webhooks, by URL: a new endpoint gets a new secret and stays off until someone gives it out.
    for (const hook of file.webhooks) {
      if (!changed("webhooks", hook.url)) continue;
      const input = ZEndpointInput.parse(hook);
      const [existing] = await tx.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.url, hook.url));
      if (existing) {
        await tx
          .update(webhooks)
          .set({ description: input.description, events: input.events, updatedAt: now })
          .where(eq(webhooks.id, existing.id));
        continue;
      }
      const url = await assertSafeWebhookUrl(input.url, options.webhooks.allowPrivate);
      await tx.insert(webhooks).values({
        url: url.toString(),
        description: input.description,
        events: input.events,
        secret: encryptSecret(generateSigningSecret(), options.webhooks.appSecret, "webhook-secret"),
        enabled: false,
        disabledReason: IMPORTED_WEBHOOK_REASON,
        createdByUserId: actor?.id ?? null,
      });
    }

    await recordAudit(tx, actor, {
      action: "import",
      entity: "configuration",
      after: {
        planHash: plan.planHash,
        kinds: Object.fromEntries(
          plan.kinds.map((kind) => [
            kind.kind,
            { added: kind.added.length, changed: kind.changed.length, removed: kind.removed.length },
          ]),
        ),
      },
    });
    return plan;
  });
}
