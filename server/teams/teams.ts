import { and, asc, count, eq, isNull, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { ASSIGNMENT_MODES, teamMembers, teams, threads, users } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { canAccess } from "~/server/auth/roles";
import { queueTeamAssignment } from "~/server/conversations/team-queue";
import { AppError, isUniqueViolation } from "~/server/errors";
import { ZBusinessHours } from "~/server/settings/schema";

/**
 * Teams: named groups of agents with their own queue of hand-offs and how it is assigned
 * (server/conversations/assignment.ts decides; this module keeps the teams and who is in
 * them). Admins manage them; any change that may let assignment go further queues it.
 */

const ZTeamName = z.string().trim().min(1, "Enter a name").max(80, "At most 80 characters");
const ZCap = z.number().int("Between 1 and 1000").min(1, "Between 1 and 1000").max(1000, "Between 1 and 1000");

/** A text the contact hears; empty means the default text of the catalogue (null). */
const ZContactText = z
  .string()
  .trim()
  .max(1000, "At most 1,000 characters")
  .nullable()
  .transform((text) => (text ? text : null));
/** SLA target in minutes; null: no target. */
const ZSlaMinutes = z
  .number()
  .int("Between 1 and 100,000 minutes")
  .min(1, "Between 1 and 100,000 minutes")
  .max(100_000, "Between 1 and 100,000 minutes")
  .nullable();
const ZSwitch = z.boolean({ error: "Choose on or off" });

/**
 * What a team tells the contact and promises: its own opening hours (null: the org's), whether
 * a hand-off is acknowledged, the acknowledgement (`{{wait}}`: the expected wait) and the
 * closed message (`{{opens}}`: when the team is back) — null: the catalogue's default text —,
 * SLA targets (null: none) and the satisfaction survey switch.
 */
const TEAM_RECEPTION_FIELDS = {
  businessHours: ZBusinessHours.nullable(),
  acknowledge: ZSwitch,
  ackMessage: ZContactText,
  closedMessage: ZContactText,
  slaFirstResponseMinutes: ZSlaMinutes,
  slaResolutionMinutes: ZSlaMinutes,
  surveyEnabled: ZSwitch,
};

export const ZCreateTeamInput = z.object({
  name: ZTeamName,
  assignmentMode: z.enum(ASSIGNMENT_MODES).default("off"),
  maxOpenPerAgent: ZCap.default(5),
  businessHours: TEAM_RECEPTION_FIELDS.businessHours.default(null),
  acknowledge: TEAM_RECEPTION_FIELDS.acknowledge.default(true),
  ackMessage: TEAM_RECEPTION_FIELDS.ackMessage.default(null),
  closedMessage: TEAM_RECEPTION_FIELDS.closedMessage.default(null),
  slaFirstResponseMinutes: TEAM_RECEPTION_FIELDS.slaFirstResponseMinutes.default(null),
  slaResolutionMinutes: TEAM_RECEPTION_FIELDS.slaResolutionMinutes.default(null),
  surveyEnabled: TEAM_RECEPTION_FIELDS.surveyEnabled.default(false),
});
export type TCreateTeamInput = z.input<typeof ZCreateTeamInput>;

export const ZUpdateTeamInput = z.object({
  id: z.uuid(),
  name: ZTeamName.optional(),
  assignmentMode: z.enum(ASSIGNMENT_MODES).optional(),
  maxOpenPerAgent: ZCap.optional(),
  /** Each: left out, unchanged; null (where allowed), back to the default. */
  ...z.object(TEAM_RECEPTION_FIELDS).partial().shape,
});
export type TUpdateTeamInput = z.input<typeof ZUpdateTeamInput>;

export const ZTeamIdInput = z.object({ id: z.uuid() });
export const ZTeamMemberInput = z.object({ teamId: z.uuid(), userId: z.uuid() });
export type TTeamMemberInput = z.input<typeof ZTeamMemberInput>;

const TEAM_COLUMNS = {
  id: teams.id,
  name: teams.name,
  assignmentMode: teams.assignmentMode,
  maxOpenPerAgent: teams.maxOpenPerAgent,
  businessHours: teams.businessHours,
  acknowledge: teams.acknowledge,
  ackMessage: teams.ackMessage,
  closedMessage: teams.closedMessage,
  slaFirstResponseMinutes: teams.slaFirstResponseMinutes,
  slaResolutionMinutes: teams.slaResolutionMinutes,
  surveyEnabled: teams.surveyEnabled,
  createdAt: teams.createdAt,
  updatedAt: teams.updatedAt,
};

/** Every team, by name, with its members (and their availability) and how many conversations wait in its queue. */
export async function listTeams(db: TDbOrTx) {
  const [rows, members, waiting] = await Promise.all([
    db
      .select(TEAM_COLUMNS)
      .from(teams)
      .orderBy(asc(sql`lower(${teams.name})`)),
    db
      .select({
        teamId: teamMembers.teamId,
        userId: users.id,
        name: users.name,
        availability: users.availability,
        lastSeenAt: users.lastSeenAt,
      })
      .from(teamMembers)
      .innerJoin(users, eq(users.id, teamMembers.userId))
      .orderBy(asc(teamMembers.createdAt), asc(teamMembers.userId)),
    db
      .select({ teamId: threads.teamId, waiting: count() })
      .from(threads)
      .where(and(eq(threads.mode, "human"), isNull(threads.assignedUserId), sql`${threads.teamId} is not null`))
      .groupBy(threads.teamId),
  ]);
  const waitingOf = new Map(waiting.map((row) => [row.teamId, row.waiting]));
  return rows.map((team) => ({
    ...team,
    waiting: waitingOf.get(team.id) ?? 0,
    members: members.filter((member) => member.teamId === team.id).map(({ teamId: _teamId, ...member }) => member),
  }));
}

function nameTaken(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw new AppError("CONFLICT", "A team with this name already exists.", {
      name: "A team with this name already exists.",
    });
  }
  throw error;
}

async function lockTeam(tx: TDbOrTx, id: string) {
  const [team] = await tx.select(TEAM_COLUMNS).from(teams).where(eq(teams.id, id)).for("update");
  if (!team) throw new AppError("NOT_FOUND", "No such team.");
  return team;
}

export async function createTeam(db: TDb, actor: TActor, rawInput: TCreateTeamInput) {
  const input = ZCreateTeamInput.parse(rawInput);
  try {
    return await db.transaction(async (tx) => {
      const [team] = await tx.insert(teams).values(input).returning(TEAM_COLUMNS);
      await recordAudit(tx, actor, { action: "create", entity: "team", entityId: team!.id, after: team });
      return team!;
    });
  } catch (error) {
    nameTaken(error);
  }
}

/** Renames a team or changes its assignment, hours, texts, SLA targets or survey; turning assignment on or raising the cap queues a run. */
export async function updateTeam(db: TDb, boss: PgBoss, actor: TActor, rawInput: TUpdateTeamInput) {
  const input = ZUpdateTeamInput.parse(rawInput);
  try {
    return await db.transaction(async (tx) => {
      const before = await lockTeam(tx, input.id);
      const [after] = await tx
        .update(teams)
        .set({
          name: input.name ?? before.name,
          assignmentMode: input.assignmentMode ?? before.assignmentMode,
          maxOpenPerAgent: input.maxOpenPerAgent ?? before.maxOpenPerAgent,
          businessHours: input.businessHours === undefined ? before.businessHours : input.businessHours,
          acknowledge: input.acknowledge ?? before.acknowledge,
          ackMessage: input.ackMessage === undefined ? before.ackMessage : input.ackMessage,
          closedMessage: input.closedMessage === undefined ? before.closedMessage : input.closedMessage,
          slaFirstResponseMinutes:
            input.slaFirstResponseMinutes === undefined
              ? before.slaFirstResponseMinutes
              : input.slaFirstResponseMinutes,
          slaResolutionMinutes:
            input.slaResolutionMinutes === undefined ? before.slaResolutionMinutes : input.slaResolutionMinutes,
          surveyEnabled: input.surveyEnabled ?? before.surveyEnabled,
          updatedAt: new Date(),
        })
        .where(eq(teams.id, input.id))
        .returning(TEAM_COLUMNS);
      await recordAudit(tx, actor, { action: "update", entity: "team", entityId: input.id, before, after });
      await queueTeamAssignment(tx, boss, [input.id]);
      return after!;
    });
  } catch (error) {
    nameTaken(error);
  }
}

/** Deletes a team; its waiting conversations fall back to the shared queue (threads.team_id is set null). */
export async function deleteTeam(db: TDb, actor: TActor, rawInput: z.input<typeof ZTeamIdInput>) {
  const input = ZTeamIdInput.parse(rawInput);
  return db.transaction(async (tx) => {
    const before = await lockTeam(tx, input.id);
    await tx.delete(teams).where(eq(teams.id, input.id));
    await recordAudit(tx, actor, { action: "delete", entity: "team", entityId: input.id, before });
    return { id: input.id };
  });
}

/** Adds a person who can answer conversations to a team (idempotent); assignment may then go further. */
export async function addTeamMember(db: TDb, boss: PgBoss, actor: TActor, rawInput: TTeamMemberInput) {
  const input = ZTeamMemberInput.parse(rawInput);
  return db.transaction(async (tx) => {
    await lockTeam(tx, input.teamId);
    const [user] = await tx
      .select({ role: users.role, disabled: users.disabled })
      .from(users)
      .where(eq(users.id, input.userId));
    if (!user) throw new AppError("NOT_FOUND", "No such user.");
    if (user.disabled || !canAccess(user.role, "inbox", "write")) {
      throw new AppError("BAD_REQUEST", "That person cannot answer conversations.", {
        userId: "Choose an enabled admin, builder or agent",
      });
    }
    const added = await tx.insert(teamMembers).values(input).onConflictDoNothing().returning();
    if (added.length > 0) {
      await recordAudit(tx, actor, { action: "add_member", entity: "team", entityId: input.teamId, after: input });
      await queueTeamAssignment(tx, boss, [input.teamId]);
    }
    return { teamId: input.teamId, userId: input.userId };
  });
}

/** Takes a person out of a team (their conversations stay theirs). */
export async function removeTeamMember(db: TDb, actor: TActor, rawInput: TTeamMemberInput) {
  const input = ZTeamMemberInput.parse(rawInput);
  return db.transaction(async (tx) => {
    await lockTeam(tx, input.teamId);
    const removed = await tx
      .delete(teamMembers)
      .where(and(eq(teamMembers.teamId, input.teamId), eq(teamMembers.userId, input.userId)))
      .returning();
    if (removed.length > 0) {
      await recordAudit(tx, actor, { action: "remove_member", entity: "team", entityId: input.teamId, before: input });
    }
    return { teamId: input.teamId, userId: input.userId };
  });
}
