import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { id, timestamps, timestamptz } from "./columns";
import { users } from "./users";

export const ASSIGNMENT_MODES = ["off", "round_robin", "fewest_open"] as const;
export const assignmentMode = pgEnum("assignment_mode", ASSIGNMENT_MODES);

/**
 * A team of agents with its own queue of hand-offs (threads.team_id). Its row is the lock that
 * serialises the team's assignment decisions (server/conversations/assignment.ts).
 */
export const teams = pgTable(
  "teams",
  {
    id: id(),
    name: text().notNull(),
    /** How waiting conversations find an agent: not at all, in turn, or to the least busy. */
    assignmentMode: assignmentMode().notNull().default("off"),
    /** Open (human, assigned) conversations an agent may hold before auto-assignment skips them. */
    maxOpenPerAgent: integer().notNull().default(5),
    /** The round-robin cursor: the member auto-assignment last gave a conversation to. */
    lastAssignedUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    /**
     * The team's opening hours (the shape of the org setting `businessHours`, in the org's time
     * zone); null: the org's own business hours.
     */
    businessHours: jsonb().$type<Record<string, { start: string; end: string }[]>>(),
    /** Whether a hand-off to the team tells the contact (the acknowledgement or the closed message). */
    acknowledge: boolean().notNull().default(true),
    /** What the contact hears on a hand-off while the team is open (`{{wait}}`); null: the default text. */
    ackMessage: text(),
    /** What the contact hears on a hand-off while the team is closed (`{{opens}}`); null: the default text. */
    closedMessage: text(),
    /** SLA: minutes from hand-off to the first reply by a person; null: no target. */
    slaFirstResponseMinutes: integer(),
    /** SLA: minutes from hand-off to the conversation being closed; null: no target. */
    slaResolutionMinutes: integer(),
    /** Whether closing one of the team's conversations asks the contact for a 1–5 score. */
    surveyEnabled: boolean().notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("teams_name_lower_key").on(sql`lower(${t.name})`),
    check("teams_max_open_per_agent_check", sql`${t.maxOpenPerAgent} between 1 and 1000`),
    check(
      "teams_sla_minutes_check",
      sql`coalesce(${t.slaFirstResponseMinutes}, 1) between 1 and 100000 and coalesce(${t.slaResolutionMinutes}, 1) between 1 and 100000`,
    ),
  ],
);

/** Who is in which team; `lastAssignedAt` breaks fewest-open ties (longest ago first). */
export const teamMembers = pgTable(
  "team_members",
  {
    teamId: uuid()
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** When auto-assignment last gave this member a conversation of this team. */
    lastAssignedAt: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_members_user_idx").on(t.userId)],
);
