import { beforeAll, describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { contacts, mediaObjects, messages, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { attachMediaLinks, DASHBOARD_MEDIA_TTL_S, dashboardMediaLinks } from "~/server/media/links";
import { verifyMediaRequest } from "~/server/media/urls";
import type { TMessageContent } from "~/server/messages/content";
import { NO_CAPABILITIES } from "~/server/sessions/engine-capabilities";
import { publishEngines } from "~/server/sessions/engines";
import { ensureSimulatorSession } from "~/server/sessions/sessions";
import { insertUser, useTestDatabase } from "../support/database";
import { TEST_APP_SECRET, testContext } from "../support/trpc-context";

const LIVE = "1".repeat(64);
const LIVE_THUMB = "2".repeat(64);
const GONE = "3".repeat(64);
const NEVER_RECORDED = "4".repeat(64);

/** What a signed link says when the route checks it. */
function verify(url: string | undefined, sha256: string) {
  expect(url, "a link").toBeTruthy();
  const parsed = new URL(url!, "http://switchboard.test");
  expect(parsed.pathname).toBe(`/api/media/${sha256}`);
  return verifyMediaRequest(TEST_APP_SECRET, sha256, parsed.searchParams);
}

const photo = (storageKey: string, state: "stored" | "pending" | "failed" = "stored"): TMessageContent => ({
  kind: "image",
  caption: "the receipt",
  media: { mimeType: "image/jpeg", size: 2048, storageKey, state },
});

let db: TDb;
let agent: TSessionUser;

beforeAll(async () => {
  ({ db } = await useTestDatabase());
  agent = await insertUser(db, "agent");
  await db.insert(mediaObjects).values([
    {
      sha256: LIVE,
      size: 2048,
      mimeType: "image/jpeg",
      category: "image",
      width: 1600,
      height: 1200,
      thumbSha256: LIVE_THUMB,
    },
    { sha256: LIVE_THUMB, size: 300, mimeType: "image/webp", category: "image", width: 320, height: 240 },
    {
      sha256: GONE,
      size: 4096,
      mimeType: "application/pdf",
      category: "document",
      deletedAt: new Date(),
      deletedReason: "retention",
    },
  ]);
});

describe("attachMediaLinks", () => {
  it("signs a stored file's links (full, thumbnail, download) and fills what intake measured", async () => {
    const [item] = await attachMediaLinks(db, [{ content: photo(LIVE) }], dashboardMediaLinks(TEST_APP_SECRET));
    expect(item!.content.kind).toBe("image");
    const media = item!.content.kind === "image" ? item!.content.media : undefined;
    expect(media).toMatchObject({ state: "stored", width: 1600, height: 1200, thumbKey: LIVE_THUMB });
    const links = item!.mediaLinks!;
    expect(verify(links.url, LIVE)).toMatchObject({ ok: true, variant: "full", download: false });
    expect(verify(links.thumbUrl, LIVE)).toMatchObject({ ok: true, variant: "thumb" });
    expect(verify(links.downloadUrl, LIVE)).toMatchObject({ ok: true, download: true });
    // Short-lived: the dashboard's links expire within the TTL (plus the rounding window).
    const expiresIn = new Date(links.expiresAt).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual((DASHBOARD_MEDIA_TTL_S + 10 * 60) * 1000);
    // Links signed with another secret do not pass.
    expect(verifyMediaRequest("x".repeat(32), LIVE, new URL(links.url, "http://h").searchParams)).toMatchObject({
      ok: false,
    });
  });

  it("a file retention removed reads as removed, with the reason, and gets no link", async () => {
    const document: TMessageContent = {
      kind: "document",
      media: { mimeType: "application/pdf", fileName: "a.pdf", storageKey: GONE, state: "stored" },
    };
    const [item] = await attachMediaLinks(db, [{ content: document }], dashboardMediaLinks(TEST_APP_SECRET));
    expect(item!.mediaLinks).toBeNull();
    expect(item!.content).toMatchObject({
      kind: "document",
      media: { state: "removed", error: "removed", errorDetail: "retention", fileName: "a.pdf" },
    });
  });

  it("a stored reference to a file the store never recorded reads as removed, not as a broken link", async () => {
    const [item] = await attachMediaLinks(
      db,
      [{ content: photo(NEVER_RECORDED) }],
      dashboardMediaLinks(TEST_APP_SECRET),
    );
    expect(item!.mediaLinks).toBeNull();
    expect(item!.content).toMatchObject({ media: { state: "removed" } });
  });

  it("pending, failed, metadata-only and text get no links, and are left as they are", async () => {
    const items: { content: TMessageContent }[] = [
      { content: photo(LIVE, "pending") },
      { content: { kind: "voice", media: { mimeType: "audio/ogg", state: "failed", error: "download_failed" } } },
      { content: { kind: "image", media: { mimeType: "image/jpeg", size: 10 } } },
      { content: { kind: "text", text: "hello" } },
    ];
    const linked = await attachMediaLinks(db, items, dashboardMediaLinks(TEST_APP_SECRET));
    expect(linked.map((item) => item.mediaLinks)).toEqual([null, null, null, null]);
    expect(linked.map((item) => item.content)).toEqual(items.map((item) => item.content));
  });

  it("without options, the states are made effective but nothing is signed", async () => {
    const linked = await attachMediaLinks(db, [{ content: photo(LIVE) }, { content: photo(GONE) }], undefined);
    expect(linked.map((item) => item.mediaLinks)).toEqual([null, null]);
    expect(linked[1]!.content).toMatchObject({ media: { state: "removed" } });
  });
});

describe("the dashboard's message queries carry the links", () => {
  it("the Inbox thread, the Simulator and a contact's history sign stored files; the thread says what its number can send", async () => {
    const sessionId = await ensureSimulatorSession(db);
    await publishEngines(
      db,
      [
        {
          kind: "simulator",
          label: "Simulator",
          description: "",
          capabilities: { ...NO_CAPABILITIES, text: true, media: ["image", "document"] },
          settings: [],
          controls: [],
          addable: false,
        },
      ],
      "test",
    );
    const [contact] = await db.insert(contacts).values({ sessionId, waId: "5511999990001", name: "Rita" }).returning();
    const [thread] = await db.insert(threads).values({ contactId: contact!.id }).returning();
    const row = (content: TMessageContent, direction: "in" | "out") => ({
      sessionId,
      threadId: thread!.id,
      direction,
      type: content.kind,
      body: "",
      content,
      source: direction === "in" ? ("contact" as const) : ("agent" as const),
      status: direction === "in" ? ("received" as const) : ("sent" as const),
    });
    await db
      .insert(messages)
      .values([row(photo(LIVE), "in"), row(photo(GONE), "in"), row(photo(LIVE, "pending"), "out")]);
    const caller = createCaller(testContext({ db, user: agent }));

    const inbox = await caller.inbox.thread({ threadId: thread!.id });
    expect(inbox.capabilities.media).toEqual(["image", "document"]);
    expect(inbox.messages.map((message) => message.mediaLinks === null)).toEqual([false, true, true]);
    expect(verify(inbox.messages[0]!.mediaLinks!.thumbUrl, LIVE)).toMatchObject({ ok: true, variant: "thumb" });
    expect(inbox.messages[1]!.content).toMatchObject({ media: { state: "removed", errorDetail: "retention" } });

    const simulator = await caller.simulator.thread({ waId: "5511999990001" });
    expect(simulator.map((message) => message.mediaLinks === null)).toEqual([false, true, true]);
    expect(verify(simulator[0]!.mediaLinks!.url, LIVE)).toMatchObject({ ok: true });

    const history = (await caller.contacts.get({ id: contact!.id })).history;
    expect(history.map((message) => message.mediaLinks === null)).toEqual([false, true, true]);
    expect(verify(history[0]!.mediaLinks!.downloadUrl, LIVE)).toMatchObject({ ok: true, download: true });
  });
});
