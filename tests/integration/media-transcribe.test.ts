import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { aiUsageDaily, contacts, messages, ruleHits, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { ZMessageContent } from "~/server/messages/content";
import type { TAiConfig } from "~/server/ai/ai-reply";
import { RAW_PAYLOADS } from "~/workers/engines/wwebjs/payloads.fixture";
import { insertUser } from "../support/database";
import { createFakeGemini } from "../support/fake-gemini-server";
import { createFakeWwebjs, fakeWwebjsOptions, type FakeWwebjsClient } from "../support/fake-wwebjs";
import { publishRules, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { oggOpusBytes } from "../support/media-fixtures";
import { mediaStoreVariants, type TMediaStoreVariant } from "../support/media-stores";
import { testContext } from "../support/trpc-context";

const CONTACT = "14155550123@c.us";
const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let sequence = 0;
/** A voice note (`ptt`) from the contact, sent now. */
function rawVoice() {
  sequence += 1;
  const id = `3EB0VOICE${String(sequence).padStart(11, "0")}`;
  return {
    ...RAW_PAYLOADS.voice,
    id: { fromMe: false, remote: CONTACT, id, _serialized: `false_${CONTACT}_${id}` },
    t: Math.floor(Date.now() / 1000),
  };
}

/** A pipeline with a linked whatsapp-web.js session (fake client) and a rule on the words "refund". */
async function linkedSession(
  variant: TMediaStoreVariant,
  ai: TAiConfig,
): Promise<{ pipeline: TPipeline; client: FakeWwebjsClient; rule: string }> {
  const fake = createFakeWwebjs({ phone: "14155550100" });
  const started = await variant.start();
  onTestFinished(() => started.stop());
  const pipeline = await startPipeline(
    { engines: { wwebjs: await fakeWwebjsOptions(fake.factory) } },
    { ai, mediaStore: started.store },
  );
  const [rule] = await publishRules(pipeline.db, [
    {
      name: "Refunds",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "refund" }] },
      actions: [{ type: "tag", tag: "refund" }],
    },
  ]);
  const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
  const { id: sessionId } = await admin.sessions.create({ name: "Front desk" });
  const client = await waitFor(() => Promise.resolve(fake.latest()), 15_000, "the client");
  const status = async () =>
    (await pipeline.db.select().from(waSessions).where(eq(waSessions.id, sessionId)))[0]?.status;
  await waitFor(async () => ((await status()) === "qr" ? true : undefined), 15_000, "the QR");
  await client.scan();
  await waitFor(async () => ((await status()) === "ready" ? true : undefined), 15_000, "ready");
  return { pipeline, client, rule: rule!.id };
}

function processed(pipeline: TPipeline, waMessageId: string) {
  return waitFor(
    async () => {
      const [row] = await pipeline.db.select().from(messages).where(eq(messages.waMessageId, waMessageId));
      return row?.processedAt ? { ...row, content: ZMessageContent.parse(row.content) } : undefined;
    },
    30_000,
    `${waMessageId} processed`,
  );
}

async function fired(pipeline: TPipeline, ruleId: string, messageId: string) {
  return (
    (await pipeline.db.$count(
      ruleHits,
      and(eq(ruleHits.ruleId, ruleId), eq(ruleHits.messageId, messageId), eq(ruleHits.matched, true)),
    )) > 0
  );
}

async function processJobs(pipeline: TPipeline, messageId: string) {
  const { rows } = await pipeline.db.execute<{ n: number }>(
    sql`select count(*)::int as n from pgboss.job where name = 'message.process' and data->>'messageId' = ${messageId}`,
  );
  return rows[0]!.n;
}

describe.each(mediaStoreVariants())("voice notes to text ($name store)", (variant) => {
  it("writes out a voice note with Gemini (the recording inline), so rules read its words; retries a model that is down, and processes one it refuses without a transcript", async () => {
    const gemini = await createFakeGemini();
    onTestFinished(() => gemini.close());
    const { pipeline, client, rule } = await linkedSession(variant, {
      gemini: { apiKey: "test-key", model: "gemini-test", baseUrl: gemini.url },
    });
    const said = "Hello, I would like a refund for order 42, please";
    const bytes = oggOpusBytes(4);
    gemini.transcript(bytes, said);
    // The model is down once: the transcription is tried again.
    gemini.push({ status: 503 });
    const voice = rawVoice();
    client.deliverMedia(voice, { bytes, mimetype: "audio/ogg; codecs=opus" });

    const row = await processed(pipeline, voice.id._serialized);
    expect(row.content).toMatchObject({ kind: "voice", transcript: said, media: { state: "stored" } });
    expect(row.body).toBe(said);
    expect(row.flags).not.toContain("transcript_failed");
    // The recording went inline, as the real bytes, with its real type.
    expect(gemini.audio).toEqual([
      { mimeType: "audio/ogg", size: bytes.length, sha256: sha256Of(bytes) },
      { mimeType: "audio/ogg", size: bytes.length, sha256: sha256Of(bytes) },
    ]);
    expect(JSON.stringify(gemini.requests.at(-1)!.body)).toMatch(/Transcribe this voice message verbatim/);
    expect(await fired(pipeline, rule, row.id)).toBe(true);
    const [contact] = await pipeline.db.select().from(contacts).where(eq(contacts.waId, "+14155550123"));
    expect(contact!.tags).toContain("refund");
    expect(await processJobs(pipeline, row.id)).toBe(1);

    // A recording the model refuses (400: not retried): processed without a transcript, flagged.
    const unknown = rawVoice();
    client.deliverMedia(unknown, { bytes: oggOpusBytes(5), mimetype: "audio/ogg; codecs=opus" });
    const refused = await processed(pipeline, unknown.id._serialized);
    expect(refused.content).not.toHaveProperty("transcript");
    expect(refused.body).toBe("[Voice message]");
    expect(refused.flags).toContain("transcript_failed");
    expect(gemini.audio.filter((entry) => entry.sha256 === sha256Of(oggOpusBytes(5)))).toHaveLength(1);
    expect(await processJobs(pipeline, refused.id)).toBe(1);
    // The call that answered is counted as a transcription (server/ai/usage.ts); failed ones are not.
    expect(await pipeline.db.select().from(aiUsageDaily)).toEqual([
      expect.objectContaining({ purpose: "transcription", model: "gemini-test", profileId: null, calls: 1 }),
    ]);
  });

  it("stores and processes a voice note without a transcript when Gemini is not configured", async () => {
    const { pipeline, client, rule } = await linkedSession(variant, { gemini: null });
    const voice = rawVoice();
    const bytes = oggOpusBytes(6);
    client.deliverMedia(voice, { bytes, mimetype: "audio/ogg; codecs=opus" });
    const row = await processed(pipeline, voice.id._serialized);
    expect(row.content).toMatchObject({ kind: "voice", media: { state: "stored", storageKey: sha256Of(bytes) } });
    expect(row.content).not.toHaveProperty("transcript");
    expect(row.body).toBe("[Voice message]");
    expect(row.flags.filter((flag) => flag.startsWith("transcript"))).toEqual([]);
    expect(await fired(pipeline, rule, row.id)).toBe(false);
    expect(await pipeline.db.execute(sql`select 1 from pgboss.job where name = 'media.transcribe'`)).toMatchObject({
      rows: [],
    });
    expect(await processJobs(pipeline, row.id)).toBe(1);
  });
});
