import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, contacts, events, notifications, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { assignByPolicy } from "~/server/conversations/state";
import { EventHub } from "~/server/events/hub";
import type { TEventNotice } from "~/server/events/events";
import { wakeDueSnoozes } from "~/server/inbox/work";
import { insertUser } from "../support/database";
import { inbound, log, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

function callerOf(pipeline: TPipeline, user: TSessionUser) {
  return createCaller(testContext({ db: pipeline.db, user, boss: pipeline.boss }));
}

/** A conversation of a new contact (the bot's, once its first message is in). */
async function conversation(pipeline: TPipeline, waId: string) {
  await inbound(pipeline, waId, "hello");
  return waitFor(
    async () =>
      (
        await pipeline.db
          .select({ thread: threads })
          .from(threads)
          .innerJoin(contacts, eq(contacts.id, threads.contactId))
          .where(eq(contacts.waId, waId))
      )[0]?.thread,
    5_000,
    `the thread of ${waId}`,
  );
}

async function threadRow(pipeline: TPipeline, id: string) {
  const [row] = await pipeline.db.select().from(threads).where(eq(threads.id, id));
  return row!;
}

async function eventsOf(pipeline: TPipeline, threadId: string, type: string) {
  return pipeline.db
    .select({ payload: events.payload, at: events.at })
    .from(events)
    .where(and(eq(events.threadId, threadId), eq(events.type, type)))
    .orderBy(events.at);
}

describe("working the inbox", () => {
  it("snooze until a time: the conversation leaves the lists and counts, shows under Snoozed, and the sweep wakes it at its time", async () => {
    const pipeline = await startPipeline();
    const agent = await insertUser(pipeline.db, "agent", { name: "Ana" });
    const inbox = callerOf(pipeline, agent).inbox;
    const thread = await conversation(pipeline, "+15550007001");
    await inbox.takeOver({ threadId: thread.id });
    expect((await inbox.list({ filter: "mine" })).threads.map((row) => row.threadId)).toEqual([thread.id]);

    const until = new Date(Date.now() + 30 * 60_000);
    await inbox.snooze({ threadId: thread.id, until: { kind: "at", at: until } });
    expect((await inbox.list({ filter: "mine" })).threads).toEqual([]);
    expect((await inbox.list({ filter: "all" })).threads).toEqual([]);
    expect(await inbox.counts()).toMatchObject({ mine: 0 });
    const snoozed = await inbox.list({ filter: "snoozed" });
    expect(snoozed.threads.map((row) => row.threadId)).toEqual([thread.id]);
    expect(new Date(snoozed.threads[0]!.snoozedUntil!).getTime()).toBe(until.getTime());
    expect((await eventsOf(pipeline, thread.id, "thread.snoozed"))[0]?.payload).toEqual({
      by: agent.id,
      until: until.toISOString(),
    });

    // Not yet: a sweep before its time leaves it; at its time it wakes, once.
    expect(await wakeDueSnoozes(pipeline.db, new Date(until.getTime() - 1_000))).toEqual([]);
    // The sweep skips a row another transaction holds (the pipeline's jobs may, a moment): again until taken.
    await waitFor(
      async () => ((await wakeDueSnoozes(pipeline.db, until)).includes(thread.id) ? true : undefined),
      5_000,
      "the sweep at its time to wake it",
    );
    expect(await wakeDueSnoozes(pipeline.db, new Date(until.getTime() + 60_000))).toEqual([]);
    expect(await threadRow(pipeline, thread.id)).toMatchObject({ snoozedAt: null, snoozedUntil: null });
    expect((await eventsOf(pipeline, thread.id, "thread.woke")).map((event) => event.payload)).toEqual([
      { reason: "time" },
    ]);
    expect((await inbox.list({ filter: "mine" })).threads.map((row) => row.threadId)).toEqual([thread.id]);

    // A preset is reckoned by the server; a time in the past and a closed conversation are refused.
    const preset = await inbox.snooze({ threadId: thread.id, until: { kind: "preset", preset: "1h" } });
    expect(preset.snoozedUntil!.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    await expect(
      inbox.snooze({ threadId: thread.id, until: { kind: "at", at: new Date(Date.now() - 1_000) } }),
    ).rejects.toThrow("Choose a time in the future.");
    await inbox.close({ threadId: thread.id });
    await expect(inbox.snooze({ threadId: thread.id, until: { kind: "contact" } })).rejects.toThrow(
      "A closed conversation cannot be snoozed.",
    );
  });

  it("snooze until the contact writes: their next message wakes it (thread.woke, reason contact, once); a timed snooze wakes too; and by hand", async () => {
    const pipeline = await startPipeline();
    const agent = await insertUser(pipeline.db, "agent");
    const inbox = callerOf(pipeline, agent).inbox;
    const waId = "+15550007002";
    const thread = await conversation(pipeline, waId);
    await inbox.takeOver({ threadId: thread.id });
    await inbox.snooze({ threadId: thread.id, until: { kind: "contact" } });
    expect(await threadRow(pipeline, thread.id)).toMatchObject({ snoozedUntil: null });
    expect((await threadRow(pipeline, thread.id)).snoozedAt).not.toBeNull();
    // The sweep never wakes a snooze without a time.
    expect(await wakeDueSnoozes(pipeline.db, new Date(Date.now() + 365 * 86_400_000))).toEqual([]);

    await inbound(pipeline, waId, "any news?");
    expect((await threadRow(pipeline, thread.id)).snoozedAt).toBeNull();
    expect((await eventsOf(pipeline, thread.id, "thread.woke")).map((event) => event.payload)).toEqual([
      { reason: "contact" },
    ]);
    // Awake: another message records no second wake.
    await inbound(pipeline, waId, "hello again");
    expect(await eventsOf(pipeline, thread.id, "thread.woke")).toHaveLength(1);

    await inbox.snooze({ threadId: thread.id, until: { kind: "preset", preset: "tomorrow" } });
    await inbound(pipeline, waId, "still there?");
    expect(await threadRow(pipeline, thread.id)).toMatchObject({ snoozedAt: null, snoozedUntil: null });

    await inbox.snooze({ threadId: thread.id, until: { kind: "preset", preset: "next_week" } });
    expect(await inbox.wake({ threadId: thread.id })).toEqual({ threadId: thread.id, woke: true });
    expect((await eventsOf(pipeline, thread.id, "thread.woke")).map((event) => event.payload)).toEqual([
      { reason: "contact" },
      { reason: "contact" },
      { reason: "by", by: agent.id },
    ]);
    expect(await inbox.wake({ threadId: thread.id })).toEqual({ threadId: thread.id, woke: false });
  });

  it("priority and labels: normalised, recorded as thread.updated with what changed, shown in the list, filtered by label, suggested from use", async () => {
    const pipeline = await startPipeline();
    const agent = await insertUser(pipeline.db, "agent");
    const inbox = callerOf(pipeline, agent).inbox;
    const one = await conversation(pipeline, "+15550007003");
    const two = await conversation(pipeline, "+15550007004");

    const tagged = await inbox.tag({ threadId: one.id, priority: "high", labels: [" VIP ", "Refund", "vip"] });
    expect(tagged).toMatchObject({ priority: "high", labels: ["vip", "refund"], changed: true });
    await inbox.tag({ threadId: two.id, labels: ["refund"] });
    // Nothing changed: no event.
    expect(await inbox.tag({ threadId: one.id, priority: "high", labels: ["vip", "refund"] })).toMatchObject({
      changed: false,
    });
    expect((await eventsOf(pipeline, one.id, "thread.updated")).map((event) => event.payload)).toEqual([
      { by: agent.id, priority: "high", labels: ["vip", "refund"] },
    ]);
    await inbox.tag({ threadId: one.id, priority: "urgent" });
    expect((await eventsOf(pipeline, one.id, "thread.updated")).at(-1)?.payload).toEqual({
      by: agent.id,
      priority: "urgent",
    });

    const all = await inbox.list({ filter: "all" });
    expect(all.threads.find((row) => row.threadId === one.id)).toMatchObject({
      priority: "urgent",
      labels: ["vip", "refund"],
    });
    expect((await inbox.list({ filter: "all", label: "VIP" })).threads.map((row) => row.threadId)).toEqual([one.id]);
    expect((await inbox.list({ filter: "all", label: "refund" })).threads.map((row) => row.threadId).sort()).toEqual(
      [one.id, two.id].sort(),
    );
    expect(await inbox.labels()).toEqual([
      { label: "refund", uses: 2 },
      { label: "vip", uses: 1 },
    ]);
    await expect(inbox.tag({ threadId: one.id, labels: ["x".repeat(41)] })).rejects.toThrow();
    const [audit] = await pipeline.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, one.id), eq(auditLog.action, "update")))
      .limit(1);
    expect(audit).toMatchObject({ userId: agent.id, entity: "thread" });
  });

  it("mentions in a note and assignments notify the people concerned, live to them alone; the bell lists and marks them read", async () => {
    const pipeline = await startPipeline();
    const ana = await insertUser(pipeline.db, "agent", { name: "Ana" });
    const ben = await insertUser(pipeline.db, "agent", { name: "Ben" });
    const gone = await insertUser(pipeline.db, "agent", { name: "Gone", disabled: true });
    const anaInbox = callerOf(pipeline, ana).inbox;
    const benInbox = callerOf(pipeline, ben).inbox;
    const thread = await conversation(pipeline, "+15550007005");
    const hub = new EventHub(pipeline.url, log);
    const heard: TEventNotice[] = [];
    hub.subscribe((notice) => {
      if (notice.type === "notification.created") heard.push(notice);
    });
    await hub.ensureConnected();
    try {
      // Ana mentions Ben (and herself, and a disabled person): only Ben is notified.
      const note = await anaInbox.note({
        threadId: thread.id,
        body: "@Ben can you check the invoice?",
        mentions: [ben.id, ana.id, gone.id],
      });
      const bens = await benInbox.notifications();
      expect(bens.unread).toBe(1);
      expect(bens.items).toMatchObject([
        { kind: "mention", threadId: thread.id, noteId: note.id, actorName: "Ana", readAt: null },
      ]);
      expect((await anaInbox.notifications()).items).toEqual([]);
      await waitFor(() => Promise.resolve(heard.length === 1 ? true : undefined), 5_000, "the live notice");
      expect(heard[0]).toMatchObject({ userId: ben.id, threadId: thread.id, type: "notification.created" });

      // Ana gives Ben the conversation: Ben is notified (assigned); taking one over oneself is not news.
      await anaInbox.takeOver({ threadId: thread.id });
      expect((await anaInbox.notifications()).items).toEqual([]);
      await anaInbox.assign({ threadId: thread.id, userId: ben.id });
      const after = await benInbox.notifications();
      expect(after.unread).toBe(2);
      expect(after.items[0]).toMatchObject({ kind: "assigned", threadId: thread.id, actorName: "Ana" });
      await waitFor(() => Promise.resolve(heard.length === 2 ? true : undefined), 5_000, "the second live notice");
      expect(heard.every((notice) => notice.userId === ben.id)).toBe(true);

      // Ben marks one read, then all; Ana cannot mark Ben's.
      expect(await anaInbox.readNotifications({ ids: [after.items[0]!.id] })).toEqual({ marked: 0 });
      expect(await benInbox.readNotifications({ ids: [after.items[0]!.id] })).toEqual({ marked: 1 });
      expect((await benInbox.notifications()).unread).toBe(1);
      expect(await benInbox.readNotifications({})).toEqual({ marked: 1 });
      expect((await benInbox.notifications()).unread).toBe(0);
    } finally {
      await hub.close();
    }
  });

  it("auto-assignment notifies the assignee (no actor), in its own transaction", async () => {
    const pipeline = await startPipeline();
    const ana = await insertUser(pipeline.db, "agent", { name: "Ana" });
    const thread = await conversation(pipeline, "+15550007006");
    const [team] = await pipeline.db
      .execute<{ id: string }>(sql`insert into teams (name) values ('Support') returning id`)
      .then((result) => result.rows);
    await pipeline.db
      .update(threads)
      .set({ mode: "human", teamId: team!.id, assignedUserId: null })
      .where(eq(threads.id, thread.id));
    const hub = new EventHub(pipeline.url, log);
    const heard: TEventNotice[] = [];
    hub.subscribe((notice) => {
      if (notice.type === "notification.created") heard.push(notice);
    });
    await hub.ensureConnected();
    try {
      const picks = [{ threadId: thread.id, userId: ana.id }];
      expect(await pipeline.db.transaction((tx) => assignByPolicy(tx, team!.id, picks, "round_robin"))).toEqual(picks);
      const rows = await pipeline.db.select().from(notifications).where(eq(notifications.userId, ana.id));
      expect(rows).toMatchObject([{ kind: "assigned", threadId: thread.id, actorUserId: null }]);
      await waitFor(() => Promise.resolve(heard.length === 1 ? true : undefined), 5_000, "the live notice");
      expect(heard[0]).toMatchObject({ userId: ana.id, threadId: thread.id });
      // A run that finds it taken meanwhile notifies nobody.
      expect(await pipeline.db.transaction((tx) => assignByPolicy(tx, team!.id, picks, "round_robin"))).toEqual([]);
    } finally {
      await hub.close();
    }
    expect(await pipeline.db.select().from(notifications)).toHaveLength(1);
  });

  it("bulk assign, label and close act on each conversation under the rules for one, audited, refusals reported", async () => {
    const pipeline = await startPipeline();
    const ana = await insertUser(pipeline.db, "agent", { name: "Ana" });
    const ben = await insertUser(pipeline.db, "agent", { name: "Ben" });
    const anaInbox = callerOf(pipeline, ana).inbox;
    const benInbox = callerOf(pipeline, ben).inbox;
    const [one, two, three] = [
      await conversation(pipeline, "+15550007007"),
      await conversation(pipeline, "+15550007008"),
      await conversation(pipeline, "+15550007009"),
    ];
    await anaInbox.tag({ threadId: one.id, labels: ["vip"] });

    const labelled = await anaInbox.bulkLabel({ threadIds: [one.id, two.id], labels: ["Refund"] });
    expect(labelled).toEqual({ done: [one.id, two.id], failed: [] });
    expect((await threadRow(pipeline, one.id)).labels).toEqual(["vip", "refund"]);
    expect((await threadRow(pipeline, two.id)).labels).toEqual(["refund"]);

    const assigned = await anaInbox.bulkAssign({ threadIds: [one.id, two.id], userId: ben.id });
    expect(assigned.done).toEqual([one.id, two.id]);
    expect(await threadRow(pipeline, one.id)).toMatchObject({ mode: "human", assignedUserId: ben.id });
    expect((await benInbox.notifications()).unread).toBe(2);

    // Ana (an agent) may not close Ben's conversations; her own (three) closes.
    await anaInbox.takeOver({ threadId: three.id });
    const closed = await anaInbox.bulkClose({ threadIds: [one.id, three.id] });
    expect(closed.done).toEqual([three.id]);
    expect(closed.failed).toMatchObject([{ threadId: one.id, code: "FORBIDDEN" }]);
    expect((await threadRow(pipeline, one.id)).mode).toBe("human");
    expect((await threadRow(pipeline, three.id)).mode).toBe("closed");
    const audits = await pipeline.db
      .select({ action: auditLog.action, entityId: auditLog.entityId })
      .from(auditLog)
      .where(eq(auditLog.userId, ana.id));
    expect(audits.filter((row) => row.action === "assigned").map((row) => row.entityId)).toEqual(
      expect.arrayContaining([one.id, two.id]),
    );
    expect(audits.some((row) => row.action === "closed" && row.entityId === three.id)).toBe(true);
    await expect(anaInbox.bulkClose({ threadIds: [] })).rejects.toThrow();
  });

  it("the thread view's activity: who did what and when, in order, with the messages' page", async () => {
    const pipeline = await startPipeline();
    const ana = await insertUser(pipeline.db, "agent", { name: "Ana" });
    const ben = await insertUser(pipeline.db, "agent", { name: "Ben" });
    const inbox = callerOf(pipeline, ana).inbox;
    const thread = await conversation(pipeline, "+15550007010");
    await inbox.takeOver({ threadId: thread.id });
    await inbox.assign({ threadId: thread.id, userId: ben.id });
    await inbox.tag({ threadId: thread.id, priority: "high", labels: ["vip"] });
    await inbox.snooze({ threadId: thread.id, until: { kind: "contact" } });
    await inbox.wake({ threadId: thread.id });
    await callerOf(pipeline, ben).inbox.close({ threadId: thread.id });
    await inbox.reopen({ threadId: thread.id });
    const view = await inbox.thread({ threadId: thread.id });
    expect(view.activity.map((item) => [item.type, item.byName, item.assigneeName])).toEqual([
      ["thread.assigned", "Ana", "Ana"],
      ["thread.assigned", "Ana", "Ben"],
      ["thread.updated", "Ana", null],
      ["thread.snoozed", "Ana", null],
      ["thread.woke", "Ana", null],
      ["thread.closed", "Ben", null],
      ["thread.reopened", "Ana", null],
    ]);
    expect(view.activity[0]?.payload).toMatchObject({ takeover: true });
    expect(view.activity[2]?.payload).toEqual({ priority: "high", labels: ["vip"] });
    expect(view.activity[3]?.payload).toEqual({ until: null });
    // Only activity: the note and message events are not in it.
    await inbox.note({ threadId: thread.id, body: "a note" });
    expect((await inbox.thread({ threadId: thread.id })).activity).toHaveLength(7);
  });
});
