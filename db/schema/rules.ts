import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, timestamptz } from "./columns";
import { users } from "./users";

/** A json-rules-engine condition tree (`all` / `any` / `not`, nested). */
export type TRuleConditions = Record<string, unknown>;
/** An action the rule runs when it matches; the rules domain owns the exact schema. */
export type TRuleAction = { type: string } & Record<string, unknown>;
/** When a rule may fire (business hours, days). */
export type TRuleSchedule = Record<string, unknown>;

/** The draft ruleset: what builders edit. The worker runs `rule_versions`, never this. */
export const rules = pgTable(
  "rules",
  {
    id: id(),
    name: text().notNull(),
    description: text().notNull().default(""),
    enabled: boolean().notNull().default(true),
    priority: integer().notNull().default(0),
    conditions: jsonb().$type<TRuleConditions>().notNull(),
    actions: jsonb().$type<TRuleAction[]>().notNull().default([]),
    stopOnMatch: boolean().notNull().default(false),
    cooldownS: integer().notNull().default(0),
    schedule: jsonb().$type<TRuleSchedule>(),
    ...timestamps(),
  },
  (t) => [index("rules_priority_idx").on(t.priority)],
);

/** An immutable published ruleset: a full snapshot of every rule at publish time. */
export const ruleVersions = pgTable(
  "rule_versions",
  {
    id: id(),
    version: integer().notNull(),
    snapshot: jsonb().$type<unknown[]>().notNull(),
    note: text().notNull().default(""),
    publishedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    publishedAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex("rule_versions_version_key").on(t.version)],
);

/**
 * A rule that fired on a message (matches only: recording every non-match of every rule cost
 * a row per rule per message, which capped the pipeline; `rule_evaluations` counts those).
 */
export const ruleHits = pgTable(
  "rule_hits",
  {
    id: id(),
    ruleId: uuid().notNull(),
    version: integer().notNull(),
    messageId: uuid().notNull(),
    /** The message's thread: analytics finds the hits a hand-off followed without reading events. */
    threadId: uuid(),
    matched: boolean().notNull(),
    at: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    index("rule_hits_rule_at_idx").on(t.ruleId, t.at),
    index("rule_hits_at_idx").on(t.at),
    // INCLUDE (rule_id) in the migration: the rules table's hand-off join from the index alone.
    index("rule_hits_thread_at_idx").on(t.threadId, t.at),
  ],
);

/**
 * How often a rule was evaluated and matched, counted per processed batch of messages (one
 * row per rule per batch, insert-only, so concurrent batches never contend). Analytics sums
 * them by rule and time.
 */
export const ruleEvaluations = pgTable(
  "rule_evaluations",
  {
    id: id(),
    ruleId: uuid().notNull(),
    version: integer().notNull(),
    evaluations: integer().notNull(),
    matches: integer().notNull(),
    at: timestamptz().notNull().defaultNow(),
  },
  (t) => [index("rule_evaluations_rule_at_idx").on(t.ruleId, t.at), index("rule_evaluations_at_idx").on(t.at)],
);
