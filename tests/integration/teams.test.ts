import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb, type TDb } from "~/db/client";
import { auditLog, contacts, events, teamMembers, teams, threads, users } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { assignTeamQueue, lockTeamForAssignment } from "~/server/conversations/assignment";
import { assignByPolicy } from "~/server/conversations/state";
import { createBoss } from "~/server/jobs/boss";
import { AWAY_AFTER_MINUTES, recordHeartbeat, setMyAvailability, sweepAvailability } from "~/server/teams/availability";
import { WEBHOOK_DETAILS, webhookDetails } from "~/server/webhooks/payloads";
import { insertUser } from "../support/database";
import { publishFlowRows } from "../support/flows";
import { inbound, repliesTo, startPipeline, usePreparedDatabase, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

function callerOf(pipeline: Pick<TPipeline, "db" | "boss">, user: TSessionUser) {
  return createCaller(testContext({ db: pipeline.db, user, boss: pipeline.boss }));
}

/** `team.assign` jobs not finished yet (queued, retrying or running). */
async function pendingAssignments(db: TDb): Promise<number> {
  const result = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from pgboss.job where name = 'team.assign' and state in ('created', 'retry', 'active')`,
  );
  return result.rows[0]!.n;
}

async function threadOfContact(db: TDb, waId: string) {
  const [row] = await db
    .select({ thread: threads })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(contacts.waId, waId));
  return row?.thread;
}

/**
 * The contact asks for a person; the rule hands off to the team. Resolves once the hand-off is
 * recorded and every queued assignment run has finished, with the thread as it then is.
 */
async function handOff(pipeline: TPipeline, waId: string) {
  await inbound(pipeline, waId, "I want a human please");
  await waitFor(
    async () => (await threadOfContact(pipeline.db, waId))?.mode === "human",
    10_000,
    `the hand-off of ${waId}`,
  );
  await waitFor(async () => (await pendingAssignments(pipeline.db)) === 0, 10_000, "the assignment runs");
  return (await threadOfContact(pipeline.db, waId))!;
}

describe("teams and auto-assignment", () => {
  it("[acceptance 1] round-robin: six hand-offs alternate; one goes away, the rest go to the other; a third coming online gets the waiting ones up to the cap", async () => {
    const pipeline = await startPipeline();
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const [ana, ben, cleo] = [
      await insertUser(pipeline.db, "agent", { name: "Ana" }),
      await insertUser(pipeline.db, "agent", { name: "Ben" }),
      await insertUser(pipeline.db, "agent", { name: "Cleo" }),
    ];
    const team = await admin.teams.create({ name: "Support", assignmentMode: "round_robin", maxOpenPerAgent: 5 });
    for (const agent of [ana, ben, cleo]) await admin.teams.addMember({ teamId: team.id, userId: agent.id });
    await callerOf(pipeline, ana).teams.setAvailability({ availability: "online" });
    await callerOf(pipeline, ben).teams.setAvailability({ availability: "online" });
    const builder = callerOf(pipeline, await insertUser(pipeline.db, "builder"));
    await builder.rules.create({
      name: "Wants a person",
      conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "human" }] },
      actions: [
        { type: "reply", text: "Someone from Support will answer." },
        { type: "handoff", teamId: team.id },
      ],
    });
    await builder.rules.publish({});

    const owners: (string | null)[] = [];
    for (let i = 0; i < 6; i += 1) {
      const thread = await handOff(pipeline, `+55119100000${i}`);
      expect(thread.teamId).toBe(team.id);
      owners.push(thread.assignedUserId);
    }
    expect(owners).toEqual([ana.id, ben.id, ana.id, ben.id, ana.id, ben.id]);

    // Ben goes away: the next two go to Ana (then at the cap of 5), and seven more wait.
    await callerOf(pipeline, ben).teams.setAvailability({ availability: "away" });
    for (let i = 0; i < 2; i += 1) {
      expect((await handOff(pipeline, `+55119200000${i}`)).assignedUserId).toBe(ana.id);
    }
    for (let i = 0; i < 7; i += 1) {
      const thread = await handOff(pipeline, `+55119300000${i}`);
      expect(thread).toMatchObject({ mode: "human", assignedUserId: null, teamId: team.id });
    }
    expect((await admin.teams.list()).find((listed) => listed.id === team.id)?.waiting).toBe(7);

    // Cleo comes online: the oldest five waiting are hers (her cap), two still wait.
    await callerOf(pipeline, cleo).teams.setAvailability({ availability: "online" });
    await waitFor(async () => (await pendingAssignments(pipeline.db)) === 0, 10_000, "the assignment runs");
    const waiting = [];
    for (let i = 0; i < 7; i += 1) waiting.push((await threadOfContact(pipeline.db, `+55119300000${i}`))!);
    expect(waiting.map((thread) => thread.assignedUserId)).toEqual([
      cleo.id,
      cleo.id,
      cleo.id,
      cleo.id,
      cleo.id,
      null,
      null,
    ]);

    // Ana closes one: capacity freed, the oldest still waiting becomes hers.
    const anas = await pipeline.db
      .select({ id: threads.id })
      .from(threads)
      .where(eq(threads.assignedUserId, ana.id))
      .limit(1);
    await callerOf(pipeline, ana).inbox.close({ threadId: anas[0]!.id });
    await waitFor(
      async () => (await threadOfContact(pipeline.db, "+551193000005"))?.assignedUserId === ana.id,
      10_000,
      "the freed place taken",
    );
    expect((await threadOfContact(pipeline.db, "+551193000006"))?.assignedUserId).toBeNull();

    // Every automatic assignment is recorded like a person's, by the policy.
    const assigned = await pipeline.db
      .select({ payload: events.payload })
      .from(events)
      .where(and(eq(events.type, "thread.assigned"), sql`${events.payload}->>'by' = 'policy'`));
    expect(assigned).toHaveLength(6 + 2 + 5 + 1);
    expect(assigned[0]!.payload).toMatchObject({ teamId: team.id, assignment: "round_robin" });
    // …and a webhook receiver gets it in the documented shape.
    const details = webhookDetails("thread.assigned", assigned[0]!.payload);
    expect(WEBHOOK_DETAILS["thread.assigned"].parse(details)).toMatchObject({ by: "policy", teamId: team.id });
  }, 120_000);

  it("[flows] a flow's hand-off step to a team (on a message, and after a wait moved by its job) lands in its queue and is assigned", async () => {
    const pipeline = await startPipeline();
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const agent = await insertUser(pipeline.db, "agent");
    const team = await admin.teams.create({ name: "Orders", assignmentMode: "fewest_open" });
    await admin.teams.addMember({ teamId: team.id, userId: agent.id });
    await callerOf(pipeline, agent).teams.setAvailability({ availability: "online" });
    const handoff = { id: "person", type: "handoff" as const, note: "From the flow", teamId: team.id };
    await publishFlowRows(pipeline.db, {
      name: "Straight to people",
      triggers: { keywords: ["agent"], firstMessage: false },
      definition: { start: "person", steps: [handoff] },
    });
    await publishFlowRows(pipeline.db, {
      name: "After a moment",
      triggers: { keywords: ["later"], firstMessage: false },
      definition: {
        start: "wait",
        steps: [{ id: "wait", type: "wait", mode: "delay", seconds: 1, next: "person" }, handoff],
      },
    });
    await inbound(pipeline, "+551194000001", "agent");
    await inbound(pipeline, "+551194000002", "later");
    for (const waId of ["+551194000001", "+551194000002"]) {
      const thread = await waitFor(
        async () => {
          const current = await threadOfContact(pipeline.db, waId);
          return current?.assignedUserId ? current : undefined;
        },
        15_000,
        `the flow's hand-off of ${waId} assigned`,
      );
      expect(thread).toMatchObject({ mode: "human", teamId: team.id, assignedUserId: agent.id });
    }
  }, 60_000);

  it("[rules] a rule handing off to a team deleted since: the shared queue, and the batch still goes through", async () => {
    const pipeline = await startPipeline();
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const team = await admin.teams.create({ name: "Gone soon", assignmentMode: "round_robin" });
    const builder = callerOf(pipeline, await insertUser(pipeline.db, "builder"));
    await builder.rules.create({
      name: "Wants a person",
      conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "human" }] },
      actions: [
        { type: "reply", text: "Someone will answer." },
        { type: "handoff", teamId: team.id },
      ],
    });
    await builder.rules.publish({});
    await admin.teams.delete({ id: team.id });
    const thread = await handOff(pipeline, "+551195000001");
    expect(thread).toMatchObject({ mode: "human", assignedUserId: null, teamId: null });
    expect(await repliesTo(pipeline.db, "+551195000001")).toHaveLength(1);
  }, 60_000);

  it("[fewest open] the least busy member first; ties to the one assigned longest ago; nobody over the cap", async () => {
    const { db, sessionId } = await usePreparedDatabase();
    const [ana, ben, cleo] = await membersOnline(db, 3);
    const [team] = await db
      .insert(teams)
      .values({ name: "Billing", assignmentMode: "fewest_open", maxOpenPerAgent: 3 })
      .returning();
    await addMembers(db, team!.id, [ana!, ben!, cleo!]);
    // Ana holds two already, Cleo one (any team's or none: an agent's load is all of it).
    await openThreads(db, sessionId, null, [ana!, ana!, cleo!]);
    const queue = await waitingThreads(db, sessionId, team!.id, 6);
    const assigned = await assignTeamQueue(db, team!.id);
    // Ana 2, Ben 0, Cleo 1 → Ben; Ben 1 = Cleo 1 → Cleo (never assigned); → Ben; all at 2 → Ana (never assigned).
    // Then Ana 3 (the cap), Ben 2 = Cleo 2, Cleo's last one longer ago → Cleo; → Ben. All at the cap.
    expect(assigned).toEqual(
      [ben, cleo, ben, ana, cleo, ben].map((user, index) => ({ threadId: queue[index], userId: user!.id })),
    );
    expect(await assignTeamQueue(db, team!.id)).toEqual([]);
  });

  it("[concurrency] several assignment runs of one team at once, on separate connections: one assignee each, nobody over the cap", async () => {
    const { db, sessionId, url } = await usePreparedDatabase();
    const agents = await membersOnline(db, 3);
    const [team] = await db
      .insert(teams)
      .values({ name: "Sales", assignmentMode: "round_robin", maxOpenPerAgent: 4 })
      .returning();
    await addMembers(db, team!.id, agents);
    const queue = await waitingThreads(db, sessionId, team!.id, 20);
    const workers = Array.from({ length: 6 }, () => createDb(url, { max: 1 }));
    try {
      const runs = await Promise.all(workers.map((worker) => assignTeamQueue(worker.db, team!.id)));
      const all = runs.flat();
      expect(all).toHaveLength(12);
      expect(new Set(all.map((assignment) => assignment.threadId)).size).toBe(12);
    } finally {
      await Promise.all(workers.map((worker) => worker.pool.end()));
    }
    const rows = await db
      .select({ id: threads.id, assignedUserId: threads.assignedUserId })
      .from(threads)
      .where(inArray(threads.id, queue));
    const load = new Map<string, number>();
    for (const row of rows)
      if (row.assignedUserId) load.set(row.assignedUserId, (load.get(row.assignedUserId) ?? 0) + 1);
    expect([...load.values()]).toEqual([4, 4, 4]);
    const recorded = await db
      .select({ threadId: events.threadId, n: sql<number>`count(*)::int` })
      .from(events)
      .where(and(eq(events.type, "thread.assigned"), inArray(events.threadId, queue)))
      .groupBy(events.threadId);
    expect(recorded).toHaveLength(12);
    expect(recorded.every((row) => row.n === 1)).toBe(true);
  });

  it("[busy] a run finding the team's row locked returns at once; the run holding it takes the hand-offs that came meanwhile", async () => {
    const { db, sessionId, url } = await usePreparedDatabase();
    const [ana, ben] = await membersOnline(db, 2);
    const [team] = await db.insert(teams).values({ name: "Rush", assignmentMode: "round_robin" }).returning();
    await addMembers(db, team!.id, [ana!, ben!]);
    const [first] = await waitingThreads(db, sessionId, team!.id, 1);
    const late = await newThread(db, sessionId, { mode: "bot" });
    const holder = createDb(url, { max: 1 });
    const other = createDb(url, { max: 1 });
    let release = () => {};
    try {
      const gate = new Promise<void>((resolve) => (release = resolve));
      let reading!: () => void;
      const hasRead = new Promise<void>((resolve) => (reading = resolve));
      let runs = 0;
      const holding = assignTeamQueue(holder.db, team!.id, new Date(), {
        afterWaitingRead: async () => {
          runs += 1;
          if (runs > 1) return;
          reading();
          await gate;
        },
      });
      await hasRead;
      // A hand-off commits after the run read the queue; its own run finds the team busy.
      await db
        .update(threads)
        .set({ mode: "human", teamId: team!.id, handoffAt: new Date() })
        .where(eq(threads.id, late));
      const started = Date.now();
      expect(await assignTeamQueue(other.db, team!.id)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(1_000);
      release();
      // The holder assigned its own, then ran again for the one that came meanwhile.
      expect(await holding).toEqual([
        { threadId: first, userId: ana!.id },
        { threadId: late, userId: ben!.id },
      ]);
      expect(runs).toBe(2);
    } finally {
      release();
      await holder.pool.end();
      await other.pool.end();
    }
  });

  it("[lock] a hand-off writing threads.team_id does not wait for an assignment run holding the team's row", async () => {
    const { db, sessionId, url } = await usePreparedDatabase();
    const [team] = await db.insert(teams).values({ name: "Busy", assignmentMode: "round_robin" }).returning();
    const threadId = await newThread(db, sessionId, { mode: "bot" });
    const [agent] = await membersOnline(db, 1);
    await addMembers(db, team!.id, [agent!]);
    const run = createDb(url, { max: 1 });
    const handoff = createDb(url, { max: 1 });
    try {
      // The run takes the team's row as assignTeamQueue does, then waits before going on.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const running = run.db.transaction(async (tx) => {
        await lockTeamForAssignment(tx, team!.id);
        locked();
        await held;
      });
      await isLocked;
      // The hand-off's write (its foreign key check takes `key share` on the team's row).
      const wrote = handoff.db.execute(
        sql`update threads set mode = 'human', team_id = ${team!.id}, handoff_at = now() where id = ${threadId}`,
      );
      const outcome = await Promise.race([
        wrote.then(() => "written"),
        new Promise((resolve) => setTimeout(() => resolve("waiting"), 2_000)),
      ]);
      release();
      await running;
      await wrote;
      expect(outcome).toBe("written");
    } finally {
      await run.pool.end();
      await handoff.pool.end();
    }
  });

  it("[assignByPolicy] one statement for many: a conversation someone took meanwhile, or not the team's, is left out and nothing is recorded for it", async () => {
    const { db, sessionId } = await usePreparedDatabase();
    const [ana, ben] = await membersOnline(db, 2);
    const [team] = await db.insert(teams).values({ name: "Taken", assignmentMode: "round_robin" }).returning();
    const threadId = await newThread(db, sessionId, {
      mode: "human",
      teamId: team!.id,
      assignedUserId: ana!.id,
      handoffAt: new Date(),
    });
    const other = await newThread(db, sessionId, { mode: "human", teamId: null, handoffAt: new Date() });
    const waiting = await newThread(db, sessionId, { mode: "human", teamId: team!.id, handoffAt: new Date() });
    // Taken by Ana meanwhile; not the team's (the shared queue); and one still waiting: only that one is assigned.
    const picks = [threadId, other, waiting].map((id) => ({ threadId: id, userId: ben!.id }));
    expect(await db.transaction((tx) => assignByPolicy(tx, team!.id, picks, "round_robin"))).toEqual([
      { threadId: waiting, userId: ben!.id },
    ]);
    const rows = await db
      .select({ id: threads.id, assignedUserId: threads.assignedUserId })
      .from(threads)
      .where(inArray(threads.id, [threadId, other, waiting]));
    expect(new Map(rows.map((row) => [row.id, row.assignedUserId]))).toEqual(
      new Map([
        [threadId, ana!.id],
        [other, null],
        [waiting, ben!.id],
      ]),
    );
    const recorded = await db.select().from(events).where(eq(events.type, "thread.assigned"));
    expect(recorded.map((event) => [event.threadId, event.payload])).toEqual([
      [waiting, { by: "policy", assigneeId: ben!.id, from: "human", teamId: team!.id, assignment: "round_robin" }],
    ]);
    const audited = await db.select().from(auditLog).where(eq(auditLog.entityId, waiting));
    expect(audited.map((entry) => [entry.action, entry.userId, entry.after])).toEqual([
      ["assigned", null, { mode: "human", assignedUserId: ben!.id }],
    ]);
  });

  it("[availability] online people no tab has beaten for a while become away; a heartbeat keeps them online, and brings back online those the sweep marked away (not those who chose away); waiting teams get a run", async () => {
    const { db, sessionId, url } = await usePreparedDatabase();
    const boss = createBoss(url, "worker");
    await boss.start();
    try {
      const [idle, busy] = await membersOnline(db, 2);
      const [team] = await db.insert(teams).values({ name: "Night", assignmentMode: "round_robin" }).returning();
      await addMembers(db, team!.id, [idle!]);
      await waitingThreads(db, sessionId, team!.id, 1);
      const now = new Date(Date.now() + (AWAY_AFTER_MINUTES + 1) * 60_000);
      await recordHeartbeat(db, boss, busy!, new Date(now.getTime() - 60_000));
      const swept = await sweepAvailability(db, boss, now);
      expect(swept).toEqual({ away: [idle!.id], teams: [team!.id] });
      const states = await db
        .select({ id: users.id, availability: users.availability })
        .from(users)
        .where(inArray(users.id, [idle!.id, busy!.id]))
        .orderBy(asc(users.name));
      expect(Object.fromEntries(states.map((row) => [row.id, row.availability]))).toEqual({
        [idle!.id]: "away",
        [busy!.id]: "online",
      });
      expect(await pendingAssignments(db)).toBe(1);

      // Back: the one the sweep marked away opens a tab and is online again (their teams get a run);
      // one who chose away stays away.
      const later = new Date(now.getTime() + 60_000);
      expect(await recordHeartbeat(db, boss, idle!, later)).toMatchObject({ availability: "online" });
      expect(await pendingAssignments(db)).toBe(2);
      await setMyAvailability(db, boss, busy!, { availability: "away" }, later);
      expect(await recordHeartbeat(db, boss, busy!, new Date(later.getTime() + 60_000))).toMatchObject({
        availability: "away",
      });
      const [back] = await db
        .select({ availabilityAuto: users.availabilityAuto, changedAt: users.availabilityChangedAt })
        .from(users)
        .where(eq(users.id, idle!.id));
      expect(back).toEqual({ availabilityAuto: false, changedAt: later });
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it("[teams] names are unique whatever their case; bad input is refused with a clear message", async () => {
    const { db, url } = await usePreparedDatabase();
    const boss = createBoss(url, "worker");
    await boss.start();
    try {
      const admin = callerOf({ db, boss }, await insertUser(db, "admin"));
      const team = await admin.teams.create({ name: "Support" });
      expect(team).toMatchObject({ assignmentMode: "off", maxOpenPerAgent: 5 });
      await expect(admin.teams.create({ name: "  support " })).rejects.toMatchObject({
        code: "CONFLICT",
        message: "A team with this name already exists.",
      });
      await expect(admin.teams.update({ id: team.id, maxOpenPerAgent: 0 })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
      const manager = await insertUser(db, "manager");
      await expect(admin.teams.addMember({ teamId: team.id, userId: manager.id })).rejects.toMatchObject({
        message: "That person cannot answer conversations.",
      });
      await expect(admin.teams.delete({ id: randomUUID() })).rejects.toMatchObject({ message: "No such team." });
      const agent = await insertUser(db, "agent");
      await admin.teams.addMember({ teamId: team.id, userId: agent.id });
      await admin.teams.addMember({ teamId: team.id, userId: agent.id });
      expect((await admin.teams.list())[0]!.members.map((member) => member.userId)).toEqual([agent.id]);
      await admin.teams.removeMember({ teamId: team.id, userId: agent.id });
      await admin.teams.delete({ id: team.id });
      expect(await admin.teams.list()).toEqual([]);
    } finally {
      await boss.stop({ graceful: false });
    }
  });
});

async function membersOnline(db: TDb, n: number): Promise<TSessionUser[]> {
  const created: TSessionUser[] = [];
  for (let i = 0; i < n; i += 1) {
    const user = await insertUser(db, "agent", { name: `Agent ${String.fromCharCode(65 + i)}` });
    await db
      .update(users)
      .set({ availability: "online", availabilityChangedAt: new Date(), lastSeenAt: new Date() })
      .where(eq(users.id, user.id));
    created.push(user);
  }
  return created;
}

async function addMembers(db: TDb, teamId: string, members: readonly TSessionUser[]) {
  // One at a time: the join time is the team's order.
  for (const member of members) {
    await db.insert(teamMembers).values({ teamId, userId: member.id });
  }
}

let phone = 0;
async function newThread(db: TDb, sessionId: string, values: Partial<typeof threads.$inferInsert>): Promise<string> {
  phone += 1;
  const [contact] = await db
    .insert(contacts)
    .values({ sessionId, waId: `+5521${String(phone).padStart(9, "0")}`, name: `Contact ${phone}` })
    .returning({ id: contacts.id });
  const [thread] = await db
    .insert(threads)
    .values({ contactId: contact!.id, ...values })
    .returning({ id: threads.id });
  return thread!.id;
}

async function openThreads(db: TDb, sessionId: string, teamId: string | null, owners: readonly TSessionUser[]) {
  for (const owner of owners) {
    await newThread(db, sessionId, { mode: "human", assignedUserId: owner.id, teamId, handoffAt: new Date() });
  }
}

/** `n` conversations waiting in the team's queue, handed off a second apart (oldest first). */
async function waitingThreads(db: TDb, sessionId: string, teamId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  const start = Date.now() - n * 1_000;
  for (let i = 0; i < n; i += 1) {
    ids.push(await newThread(db, sessionId, { mode: "human", teamId, handoffAt: new Date(start + i * 1_000) }));
  }
  return ids;
}
