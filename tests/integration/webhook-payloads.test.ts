import { Readable } from "node:stream";
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CONTENT_KINDS, ZMessageContent } from "~/server/messages/content";
import { contacts, events, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { linkIdentities } from "~/server/contacts/merge";
import { handBackIdleThreads } from "~/server/conversations/state";
import { recordPhoneMessage } from "~/server/messaging/phone-message";
import { recordSessionStatus } from "~/server/sessions/sessions";
import { sweepSlaBreaches } from "~/server/teams/sla";
import { ingestInbound } from "~/server/messaging/ingest";
import { buildWebhookPayloads, TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES } from "~/server/webhooks/events";
import {
  WEBHOOK_DETAILS,
  WEBHOOK_OBJECTS,
  withDeliveryLinks,
  ZWebhookPayload,
  type TWebhookPayloadType,
} from "~/server/webhooks/payloads";
import { insertUser } from "../support/database";
import { publishFlowRows } from "../support/flows";
import { jpegBytes } from "../support/media-fixtures";
import { inbound, startPipeline, waitForReplies } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { restClient } from "../support/rest-client";
import { testContext } from "../support/trpc-context";

const FAILING = "+14155550199";

describe("webhook payloads: one shape per type, whatever path wrote the event", () => {
  it("[webhooks] every event type from every path matches its documented schema", { timeout: 60_000 }, async () => {
    const pipeline = await startPipeline({
      sendPolicy: { retryLimit: 0, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 },
      createTransport: (simulator) => ({
        ...simulator,
        send: (message, signal) =>
          message.to === FAILING ? Promise.reject(new Error("number banned")) : simulator.send(message, signal),
      }),
    });
    const admin = await insertUser(pipeline.db, "admin");
    const agent = await insertUser(pipeline.db, "agent");
    const caller = createCaller(
      testContext({
        db: pipeline.db,
        user: admin,
        boss: pipeline.boss,
        webhooks: { appSecret: "s".repeat(32), allowPrivate: true, rotationOverlapHours: 24 },
      }),
    );
    const call = restClient({ db: pipeline.db, boss: pipeline.boss });
    const { key } = await caller.apiKeys.create({ name: "Paths", scopes: ["read", "write"] });

    // A rule: reply, tag, custom event and hand-off (rule.fired, rule.custom_event,
    // contact.updated by rule, thread.handoff by rule, message.sent/status by the transport).
    await caller.rules.create({
      name: "Help",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "help" }] },
      actions: [
        { type: "reply", text: "A person will answer." },
        { type: "tag", tag: "needs-help" },
        { type: "emit_event", name: "help_asked", data: { source: "whatsapp" } },
        { type: "handoff", note: "Asked for help" },
      ],
    });
    await caller.rules.publish({});
    await inbound(pipeline, "+14155550191", "help please");
    await waitForReplies(pipeline.db, "+14155550191", 1, "read");
    await inbound(pipeline, FAILING, "hello");
    await waitForReplies(pipeline.db, FAILING, 1, "failed", 30_000);

    // The inbox: take over, assign, release, close, reopen.
    const [ruleThread] = await pipeline.db.select().from(threads).where(eq(threads.mode, "human"));
    await caller.inbox.takeOver({ threadId: ruleThread!.id });
    await caller.inbox.assign({ threadId: ruleThread!.id, userId: agent.id });
    await caller.inbox.release({ threadId: ruleThread!.id });
    await caller.inbox.close({ threadId: ruleThread!.id });
    await caller.inbox.reopen({ threadId: ruleThread!.id });

    // The REST API: hand-off and release; the idle handback; a person typing on the phone.
    expect((await call("POST", `/threads/${ruleThread!.id}/handoff`, { key, body: { note: "VIP" } })).status).toBe(200);
    expect((await call("POST", `/threads/${ruleThread!.id}/release`, { key })).status).toBe(200);
    expect((await call("POST", `/threads/${ruleThread!.id}/handoff`, { key })).status).toBe(200);
    expect(await handBackIdleThreads(pipeline.db, pipeline.boss, 1, new Date(Date.now() + 3_600_000))).toEqual([
      ruleThread!.id,
    ]);
    await recordPhoneMessage(pipeline.db, pipeline.sessionId, {
      to: "+14155550192",
      waMessageId: `phone-${randomUUID()}`,
      body: "typed on the phone",
      at: new Date(),
    });

    // A contact's files: one the simulated phone has (media.stored), one it no longer has (media.failed).
    const photo = await pipeline.mediaStore.put(Readable.from([await jpegBytes(40, 30)]), { maxBytes: 5_000_000 });
    for (const storageKey of [photo.sha256, "f".repeat(64)]) {
      await ingestInbound(pipeline.db, pipeline.boss, {
        sessionId: pipeline.sessionId,
        waMessageId: `in-${randomUUID()}`,
        from: "+14155550197",
        type: "image",
        body: "",
        content: { kind: "image", media: { mimeType: "image/jpeg", storageKey, state: "pending" } },
      });
    }

    // Contacts: by hand, by the API, by import; a session's status; the test event.
    const saved = await caller.contacts.save({ id: null, contact: { phone: "+14155550193", name: "Ana" } });
    await caller.contacts.save({ id: saved.id, contact: { phone: "+14155550193", name: "Ana Lima" } });
    expect((await call("PUT", "/contacts", { key, body: { phone: "+14155550194" } })).status).toBe(201);
    await caller.contacts.import({ csv: "phone,name\n+14155550195,Bo\n+14155550193,Ana L\n", fileName: "list.csv" });
    // Merges: by hand, and one an engine reported (a LID that is an imported number).
    const [byApi] = await pipeline.db.select().from(contacts).where(eq(contacts.waId, "+14155550194"));
    await caller.contacts.merge({ id: saved.id, otherId: byApi!.id });
    await inbound(pipeline, "100000000000195@lid", "hi from a LID");
    await linkIdentities(
      pipeline.db,
      pipeline.boss,
      pipeline.sessionId,
      { lid: "100000000000195", phone: "+14155550195" },
      "engine",
    );
    await recordSessionStatus(pipeline.db, pipeline.sessionId, { status: "failed", error: "offline" });
    const { endpoint } = await caller.webhooks.create({ url: "http://127.0.0.1:9/hook" });
    await caller.webhooks.sendTest({ id: endpoint.id });

    // A flow's hand-off step (thread.handoff by flow, with what the flow collected) to a team
    // with an SLA target; the target passes unmet (thread.sla_breached).
    const desk = await caller.teams.create({ name: "Desk", acknowledge: false, slaFirstResponseMinutes: 5 });
    await publishFlowRows(pipeline.db, {
      name: "Person",
      triggers: { keywords: ["person please"], firstMessage: false },
      definition: {
        start: "people",
        steps: [{ id: "people", type: "handoff", note: "Asked in a flow", teamId: desk.id }],
      },
    });
    await inbound(pipeline, "+14155550197", "person please");
    await waitFor(
      async () => (await pipeline.db.select().from(threads).where(eq(threads.teamId, desk.id))).length === 1,
      10_000,
      "the flow's hand-off to the team",
    );
    expect(await sweepSlaBreaches(pipeline.db, new Date(Date.now() + 6 * 60_000))).toHaveLength(1);

    // The reply cap, handing off: the second message pauses the bot (thread.bot_paused) and hands
    // the thread to people (thread.handoff by policy).
    await caller.settings.update({ replyCapLimit: 1, replyCapMinutes: 10, replyCapAction: "handoff" });
    await inbound(pipeline, "+14155550196", "hi");
    await waitForReplies(pipeline.db, "+14155550196", 1);
    await inbound(pipeline, "+14155550196", "hi again");

    // The satisfaction survey: a team's conversation closed by a person, the contact answers (thread.survey_answered).
    const surveyed = await caller.teams.create({ name: "Care", surveyEnabled: true });
    await inbound(pipeline, "+14155550198", "hello care");
    const surveyThread = await waitFor(
      async () =>
        (
          await pipeline.db
            .select()
            .from(threads)
            .innerJoin(contacts, eq(contacts.id, threads.contactId))
            .where(eq(contacts.waId, "+14155550198"))
        )[0]?.threads,
      10_000,
      "the surveyed conversation",
    );
    await caller.inbox.takeOver({ threadId: surveyThread.id });
    await pipeline.db.update(threads).set({ teamId: surveyed.id }).where(eq(threads.id, surveyThread.id));
    await caller.inbox.close({ threadId: surveyThread.id });
    await inbound(pipeline, "+14155550198", "5");

    const types = [...WEBHOOK_EVENT_TYPES, TEST_EVENT_TYPE];
    const rows = await waitFor(
      async () => {
        const found = await pipeline.db
          .select({ id: events.id, type: events.type })
          .from(events)
          .where(inArray(events.type, types as never))
          .orderBy(asc(events.at));
        return new Set(found.map((row) => row.type)).size === types.length ? found : undefined;
      },
      10_000,
      "an event of every webhook type",
    );
    const payloads = await buildWebhookPayloads(
      pipeline.db,
      rows.map((row) => row.id),
    );
    const paths = new Set<string>();
    for (const payload of payloads.values()) {
      // As delivered: media links are added at each attempt (here without a public address).
      const parsed = ZWebhookPayload.safeParse(withDeliveryLinks(payload, null));
      expect(parsed.error?.issues, `${payload.type}: ${JSON.stringify(payload)}`).toBeUndefined();
      const details = payload.data.details as { by?: string | null; source?: string | null };
      const by = typeof details.by === "string" && /^[0-9a-f-]{36}$/.test(details.by) ? "user" : details.by;
      paths.add(`${payload.type}${by !== undefined ? ` by ${by ?? "nobody"}` : ""}`);
      if (payload.type === "message.sent") paths.add(`message.sent from ${details.source ?? "transport"}`);
    }
    expect([...paths].sort()).toEqual(
      expect.arrayContaining([
        "thread.handoff by rule",
        "thread.handoff by flow",
        "thread.handoff by api",
        "thread.handoff by phone",
        "thread.handoff by policy",
        "thread.released by user",
        "thread.released by api",
        "thread.released by policy",
        "thread.assigned by user",
        "contact.created by user",
        "contact.created by import",
        "contact.updated by user",
        "contact.updated by import",
        "contact.updated by rule",
        "contact.merged by user",
        "contact.merged by engine",
        "message.sent from transport",
        "message.sent from phone",
      ]),
    );
  });
});

/** The ```json blocks of a markdown section. */
function jsonBlocks(markdown: string, fromHeading: string, toHeading?: string): string[] {
  const start = markdown.indexOf(fromHeading);
  const end = toHeading ? markdown.indexOf(toHeading, start + 1) : markdown.length;
  expect(start, fromHeading).toBeGreaterThanOrEqual(0);
  return [...markdown.slice(start, end).matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

describe("docs/webhooks.md agrees with the payload schemas", () => {
  const markdown = readFileSync(new URL("../../docs/webhooks.md", import.meta.url), "utf8");

  it("[docs] every example is a valid payload of its type", () => {
    const examples = jsonBlocks(markdown, "### Examples");
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const example of examples) {
      const payload = JSON.parse(example) as unknown;
      const parsed = ZWebhookPayload.safeParse(payload);
      expect(parsed.error?.issues, example.slice(0, 200)).toBeUndefined();
    }
  });

  it("[docs] the message content section lists every kind, and its examples are valid contents", () => {
    const section = markdown.slice(markdown.indexOf("## Message content"), markdown.indexOf("## Event types"));
    const examples = jsonBlocks(section, "## Message content");
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) {
      expect(ZMessageContent.safeParse(JSON.parse(example)).error?.issues, example).toBeUndefined();
    }
    const listed = [...section.matchAll(/^\| (`[a-z_]+`(?:, `[a-z_]+`)*) +\|/gm)].flatMap((match) =>
      [...match[1]!.matchAll(/`([a-z_]+)`/g)].map((kind) => kind[1]),
    );
    expect(listed.toSorted()).toEqual([...CONTENT_KINDS].sort());
  });

  it("[docs] the event table lists every type with exactly its schema's details and objects", () => {
    const table = markdown.slice(markdown.indexOf("## Event types"), markdown.indexOf("### Examples"));
    const rows = new Map(
      [...table.matchAll(/^\| `([a-z_.]+)` +\|[^|]*\|([^|]*)\|([^|]*)\|$/gm)].map((match) => [
        match[1]!,
        {
          objects: match[2]!
            .replace(/\(optional\)/g, "")
            .trim()
            .split(/,\s*/)
            .filter(Boolean)
            .map((name) => name.trim()),
          details: [...match[3]!.matchAll(/^`(\w+)`|[\s(,]`(\w+)`/g)].map((found) => found[1] ?? found[2]),
        },
      ]),
    );
    expect([...rows.keys()].sort()).toEqual(Object.keys(WEBHOOK_DETAILS).sort());
    for (const [type, schema] of Object.entries(WEBHOOK_DETAILS)) {
      const row = rows.get(type)!;
      expect(row.details, type).toEqual(Object.keys(schema.shape));
      expect(row.objects.sort(), type).toEqual(Object.keys(WEBHOOK_OBJECTS[type as TWebhookPayloadType]).sort());
    }
  });
});
