import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { contacts, teams, threads, users } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { canAccess, USER_ROLES, type TSessionUser } from "~/server/auth/roles";
import type { TEventNotice } from "~/server/events/events";
import { EventHub } from "~/server/events/hub";
import { canSeeEvent } from "~/server/events/visibility";
import { createBoss } from "~/server/jobs/boss";
import { createLogger } from "~/server/logger";
import { AVAILABILITY_CHANNEL, AWAY_AFTER_MINUTES, sweepAvailability } from "~/server/teams/availability";
import { insertUser } from "../support/database";
import { usePreparedDatabase } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

let phone = 0;
async function newThread(db: TDb, sessionId: string, values: Partial<typeof threads.$inferInsert>): Promise<string> {
  phone += 1;
  const [contact] = await db
    .insert(contacts)
    .values({ sessionId, waId: `+5531${String(phone).padStart(9, "0")}`, name: `Queue contact ${phone}` })
    .returning();
  const [thread] = await db
    .insert(threads)
    .values({ contactId: contact!.id, lastMessageAt: new Date(), ...values })
    .returning();
  return thread!.id;
}

describe("team queues in the inbox", () => {
  it("[inbox] a team's queue lists only its conversations; shared lists those of no team; counts are per queue", async () => {
    const { db, sessionId, url } = await usePreparedDatabase();
    const boss = createBoss(url, "worker");
    const agent = await insertUser(db, "agent", { name: "Ana" });
    const caller = createCaller(testContext({ db, user: agent, boss }));
    const [support, sales, empty] = await db
      .insert(teams)
      .values([{ name: "Support" }, { name: "Sales" }, { name: "Empty" }])
      .returning();
    const supportWaiting = [
      await newThread(db, sessionId, { mode: "human", teamId: support!.id, handoffAt: new Date() }),
      await newThread(db, sessionId, { mode: "human", teamId: support!.id, handoffAt: new Date() }),
    ];
    const supportTaken = await newThread(db, sessionId, {
      mode: "human",
      teamId: support!.id,
      assignedUserId: agent.id,
      handoffAt: new Date(),
    });
    const salesWaiting = await newThread(db, sessionId, { mode: "human", teamId: sales!.id, handoffAt: new Date() });
    const sharedWaiting = await newThread(db, sessionId, { mode: "human", handoffAt: new Date() });
    await newThread(db, sessionId, { mode: "bot" });

    const ids = async (input: Parameters<typeof caller.inbox.list>[0]) =>
      (await caller.inbox.list(input)).threads.map((row) => row.threadId).sort();
    expect(await ids({ filter: "unassigned", queue: support!.id })).toEqual([...supportWaiting].sort());
    expect(await ids({ filter: "needs_human", queue: support!.id })).toEqual([...supportWaiting].sort());
    expect(await ids({ filter: "all", queue: support!.id })).toEqual([...supportWaiting, supportTaken].sort());
    expect(await ids({ filter: "unassigned", queue: sales!.id })).toEqual([salesWaiting]);
    expect(await ids({ filter: "unassigned", queue: "shared" })).toEqual([sharedWaiting]);
    expect(await ids({ filter: "unassigned", queue: empty!.id })).toEqual([]);
    expect(await ids({ filter: "unassigned" })).toEqual([...supportWaiting, salesWaiting, sharedWaiting].sort());
    const [row] = (await caller.inbox.list({ filter: "mine" })).threads;
    expect(row).toMatchObject({ threadId: supportTaken, teamId: support!.id, assigneeAvailability: "offline" });

    const counts = await caller.inbox.counts();
    expect(counts.unassigned).toBe(4);
    const byQueue = Object.fromEntries(counts.queues.map((queue) => [queue.teamId ?? "shared", queue.waiting]));
    expect(byQueue).toEqual({ [support!.id]: 2, [sales!.id]: 1, shared: 1 });

    await expect(caller.inbox.list({ filter: "unassigned", queue: "not-a-team" })).rejects.toThrow();
  });

  it("[inbox] a team's waiting queue is read through threads_team_queue_idx", async () => {
    const { db, sessionId } = await usePreparedDatabase();
    const [team] = await db.insert(teams).values({ name: "Support" }).returning();
    await newThread(db, sessionId, { mode: "human", teamId: team!.id, handoffAt: new Date() });
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const result = await tx.execute<{ "QUERY PLAN": string }>(
        sql`explain select id from threads where mode = 'human' and assigned_user_id is null and team_id = ${team!.id}`,
      );
      return result.rows.map((line) => line["QUERY PLAN"]).join("\n");
    });
    expect(plan).toMatch(/threads_team_queue(_order)?_idx/);
  });
});

describe("live availability", () => {
  it("[availability] a person's change and the sweep's 'away' reach the live streams, after commit, as user.availability", async () => {
    const { db, url } = await usePreparedDatabase();
    const boss = createBoss(url, "worker");
    await boss.start();
    const hub = new EventHub(url, createLogger("test-events", "silent"));
    const heard: TEventNotice[] = [];
    const unsubscribe = hub.subscribe((notice) => heard.push(notice));
    await hub.ensureConnected();
    try {
      const ana: TSessionUser = await insertUser(db, "agent", { name: "Ana" });
      const caller = createCaller(testContext({ db, user: ana, boss }));
      await caller.teams.setAvailability({ availability: "online" });
      await waitFor(
        () => Promise.resolve(heard.find((each) => each.type === "user.availability")),
        5_000,
        "the online event",
      );
      expect(heard.filter((each) => each.type === "user.availability")).toMatchObject([
        { type: "user.availability", availability: { userId: ana.id, state: "online" }, threadId: null },
      ]);
      // Setting the same state again changes nothing, so announces nothing.
      await caller.teams.setAvailability({ availability: "online" });

      // The sweep (the worker) marks them away: heard too.
      await sweepAvailability(db, boss, new Date(Date.now() + (AWAY_AFTER_MINUTES + 1) * 60_000));
      await waitFor(
        () => Promise.resolve(heard.filter((each) => each.type === "user.availability").length >= 2 || undefined),
        5_000,
        "the away event",
      );
      expect(heard.filter((each) => each.type === "user.availability").map((each) => each.availability)).toEqual([
        { userId: ana.id, state: "online" },
        { userId: ana.id, state: "away" },
      ]);

      // A change rolled back is never heard; a malformed notice is dropped.
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      try {
        const client = await pool.connect();
        await client.query("begin");
        await client.query("select pg_notify($1, $2)", [
          AVAILABILITY_CHANNEL,
          JSON.stringify({ userId: ana.id, availability: "offline", at: new Date().toISOString() }),
        ]);
        await client.query("rollback");
        await client.query("select pg_notify($1, $2)", [AVAILABILITY_CHANNEL, JSON.stringify({ userId: "x" })]);
        const marker = randomUUID();
        await client.query("select pg_notify($1, $2)", [
          AVAILABILITY_CHANNEL,
          JSON.stringify({ userId: marker, availability: "offline", at: new Date().toISOString() }),
        ]);
        client.release();
        await waitFor(
          () => Promise.resolve(heard.find((each) => each.availability?.userId === marker)),
          5_000,
          "the marker",
        );
        expect(heard.filter((each) => each.type === "user.availability").length).toBe(3);
      } finally {
        await pool.end();
      }
      const [row] = await db.select({ availability: users.availability }).from(users).where(eq(users.id, ana.id));
      expect(row!.availability).toBe("away");
    } finally {
      unsubscribe();
      await hub.close();
      await boss.stop({ graceful: false });
    }
  });

  it("[availability] the event reaches whoever reads the inbox, nobody else", () => {
    for (const role of USER_ROLES) {
      expect(canSeeEvent(role, "user.availability")).toBe(canAccess(role, "inbox", "read"));
    }
  });
});
