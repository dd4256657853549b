import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { bytea, id, timestamps, timestamptz } from "./columns";
import { contacts } from "./contacts";
import { threads } from "./threads";
import { users } from "./users";

/**
 * A flow's draft: what builders edit on the canvas. The pipeline runs `flow_versions`, never
 * this (server/flows/definition.ts owns the shape of `definition` and `triggers`).
 */
export const flows = pgTable(
  "flows",
  {
    id: id(),
    name: text().notNull(),
    description: text().notNull().default(""),
    /** Whether its published version runs (triggers, rule actions, the API); a disabled flow starts nowhere. */
    enabled: boolean().notNull().default(true),
    definition: jsonb().$type<Record<string, unknown>>().notNull(),
    triggers: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The latest published version (null: never published). */
    publishedVersion: integer(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("flows_name_key").on(sql`lower(${t.name})`)],
);

/** An immutable published version of one flow: its steps and triggers at publish time. */
export const flowVersions = pgTable(
  "flow_versions",
  {
    id: id(),
    flowId: uuid()
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    version: integer().notNull(),
    name: text().notNull(),
    definition: jsonb().$type<Record<string, unknown>>().notNull(),
    triggers: jsonb().$type<Record<string, unknown>>().notNull(),
    note: text().notNull().default(""),
    publishedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    publishedAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex("flow_versions_flow_version_key").on(t.flowId, t.version)],
);

export const FLOW_RUN_OUTCOMES = [
  /** Reached an end step. */
  "completed",
  /** A hand-off step gave the conversation to people. */
  "handed_off",
  /** The contact said a stop word, or a person ended it. */
  "stopped",
  /** Another flow started in the conversation (a go-to-flow step, a trigger, "menu"). */
  "replaced",
  /** A step could not run (a flow or step that no longer exists, too many steps at once). */
  "failed",
] as const;
export type TFlowRunOutcome = (typeof FLOW_RUN_OUTCOMES)[number];

/**
 * One run of a flow in one conversation, from its start to its outcome: what flow analytics
 * count (starts, completions, hand-offs, time to complete) per version. The live state of the
 * active run is the conversation's (`threads.flow`); this row is its history.
 */
export const flowRuns = pgTable(
  "flow_runs",
  {
    id: id(),
    flowId: uuid()
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    version: integer().notNull(),
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    contactId: uuid().references(() => contacts.id, { onDelete: "set null" }),
    /** What started it: `keyword`, `first_message`, `rule`, `api`, `menu`, `flow`, `test`. */
    trigger: text().notNull(),
    startedAt: timestamptz().notNull().defaultNow(),
    endedAt: timestamptz(),
    outcome: text().$type<TFlowRunOutcome>(),
    /** The step it ended on (or stands on). */
    lastStepId: text(),
    /** Its variables when it ended. */
    variables: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index("flow_runs_flow_started_idx").on(t.flowId, t.version, t.startedAt),
    index("flow_runs_thread_idx").on(t.threadId, t.startedAt),
  ],
);

/**
 * Every step a run took, in order: the conversation's trace (answers given, variables set, what
 * HTTP steps sent and got) and the funnel's drop-off per step.
 */
export const flowSteps = pgTable(
  "flow_steps",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    runId: uuid()
      .notNull()
      .references(() => flowRuns.id, { onDelete: "cascade" }),
    flowId: uuid().notNull(),
    version: integer().notNull(),
    stepId: text().notNull(),
    stepType: text().notNull(),
    /** What happened there (server/flows/run.ts's TTraceEntry). */
    detail: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    at: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    index("flow_steps_run_idx").on(t.runId, t.id),
    index("flow_steps_flow_idx").on(t.flowId, t.version, t.stepId),
  ],
);

export const CONTACT_FIELD_TYPES = ["text", "number", "date", "choice", "boolean"] as const;
export type TContactFieldType = (typeof CONTACT_FIELD_TYPES)[number];

/**
 * A typed custom field of contacts, defined in Settings; values live in `contacts.fields` by
 * `key`. Flows write them; rules, filters, the contact page, CSV and the API read them.
 */
export const contactFields = pgTable(
  "contact_fields",
  {
    id: id(),
    /** Lower-case letters, digits and `_`, starting with a letter: `{{field.key}}`, `field.key` in conditions. */
    key: text().notNull(),
    label: text().notNull(),
    type: text().$type<TContactFieldType>().notNull(),
    /** A choice field's options. */
    options: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    position: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [uniqueIndex("contact_fields_key_key").on(t.key)],
);

/**
 * Named secrets (API tokens of the business's own systems) that flows' HTTP steps use as
 * `{{secrets.NAME}}`: encrypted under APP_SECRET, never shown again after they are saved.
 */
export const orgSecrets = pgTable(
  "org_secrets",
  {
    id: id(),
    name: text().notNull(),
    value: bytea().notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    ...timestamps(),
  },
  (t) => [uniqueIndex("org_secrets_name_key").on(t.name)],
);
