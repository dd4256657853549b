import { randomBytes, randomUUID } from "node:crypto";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { and, eq, gte, sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { messages } from "~/db/schema";
import { createBoss } from "~/server/jobs/boss";
import { MB } from "~/server/media/limits";
import { createFsMediaStore } from "~/server/media/store-fs";
import type { TMediaStore } from "~/server/media/store";
import { createInboundIngestor } from "~/server/messaging/ingest";
import { getSimulatorSessionId, updateSessionSettings } from "~/server/sessions/sessions";
import { updateOrgSettings } from "~/server/settings/settings";
import { mp4Bytes } from "../support/media-fixtures";
import { spawnTs, type TSpawned, waitFor } from "../support/processes";
import { withBenchDatabase } from "./database";
import { publishBenchRules } from "./pipeline";
import { note, percentile, report } from "./report";

/**
 * `npm run bench -- media`: whether big files arriving hurt everyone else. A real worker process
 * (the simulator session, 50 published rules) answers text offered at 100 messages/s, first
 * alone, then while a video arrives every second: each video goes the whole receive path
 * (ingest → the session's media queue → the simulator engine's download, which streams the
 * "phone's" file from the media store → intake: sniffing, the size limit, hashing, the store →
 * message.process). Figures: the text's reply latency p95 with and without the videos, the
 * worker's peak resident memory with 16 MB and with 4 MB videos (streaming: it must not grow
 * with the file size), how many videos were stored and how long each took.
 *
 * Every video has its own bytes (a real MP4 header, then random bytes), generated as a stream
 * and staged in the store before the measurement, so content addressing never skips the work.
 */

const BENCH = "media";
/** Text offered per second, and for how long each phase runs. */
const TEXT_PER_S = 100;
const PHASE_S = Number(process.env.BENCH_MEDIA_PHASE_S ?? 30);

type TContext = {
  url: string;
  db: TDb;
  sessionId: string;
  ingestor: ReturnType<typeof createInboundIngestor>;
  store: TMediaStore;
  mediaDir: string;
};

/** A distinct MP4 of `size` bytes, streamed: the header of a real one, an `mdat` box, random payload. */
function videoStream(size: number): Readable {
  const header = mp4Bytes(0);
  // mp4Bytes(0) ends with an empty mdat box (8 bytes): replaced by one that holds the payload.
  const prefix = header.subarray(0, header.length - 8);
  const payload = size - prefix.length - 8;
  const mdat = Buffer.alloc(8);
  mdat.writeUInt32BE(payload + 8, 0);
  mdat.write("mdat", 4, "ascii");
  let left = payload;
  let started = false;
  return new Readable({
    read() {
      if (!started) {
        started = true;
        this.push(Buffer.concat([prefix, mdat]));
        return;
      }
      if (left <= 0) return void this.push(null);
      const chunk = randomBytes(Math.min(256 * 1024, left));
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

/** Stages `count` distinct videos of `size` bytes in the store ("the phone's" files): their keys. */
async function stageVideos(store: TMediaStore, count: number, size: number): Promise<string[]> {
  const keys: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const stored = await store.put(videoStream(size), { maxBytes: size });
    keys.push(stored.sha256);
  }
  return keys;
}

function startWorker(context: TContext): TSpawned {
  const worker = spawnTs("workers/main.ts", [], {
    DATABASE_URL: context.url,
    APP_SECRET: "b".repeat(32),
    LOG_LEVEL: "warn",
    MEDIA_DIR: context.mediaDir,
  });
  worker.child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  return worker;
}

async function stopWorker(worker: TSpawned) {
  worker.child.kill("SIGTERM");
  await worker.exited;
}

/** Samples a process's resident memory (VmRSS) every 100 ms; `peakMb` also reads the kernel's own high-water mark. */
function memoryOf(pid: number) {
  let peakKb = 0;
  const read = async (field: "VmRSS" | "VmHWM") => {
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  };
  const timer = setInterval(() => {
    void read("VmRSS").then((kb) => (peakKb = Math.max(peakKb, kb)));
  }, 100);
  return {
    /** Resets the sampled peak (the kernel's VmHWM keeps the whole life's). */
    reset: () => (peakKb = 0),
    sampledPeakMb: () => peakKb / 1024,
    highWaterMb: async () => (await read("VmHWM")) / 1024,
    stop: () => clearInterval(timer),
  };
}

let sequence = 0;
function offerText(context: TContext) {
  sequence += 1;
  return context.ingestor.ingest({
    sessionId: context.sessionId,
    waMessageId: `bench-${randomUUID()}`,
    from: `+1555${String(4_000_000 + (sequence % 500)).padStart(7, "0")}`,
    body: `bench message ${sequence}`,
  });
}

function offerVideo(context: TContext, key: string, size: number, index: number) {
  return context.ingestor.ingest({
    sessionId: context.sessionId,
    waMessageId: `bench-video-${randomUUID()}`,
    from: `+1555${String(5_000_000 + (index % 50)).padStart(7, "0")}`,
    type: "video",
    body: "",
    content: {
      kind: "video",
      caption: `video ${index}`,
      media: { mimeType: "video/mp4", storageKey: key, size, state: "pending" },
    },
  });
}

/** Offers text at TEXT_PER_S for `seconds` (and, with `videos`, one video a second), then waits for every reply. */
async function phase(context: TContext, seconds: number, videos?: { keys: string[]; size: number }) {
  const since = new Date();
  const offered = seconds * TEXT_PER_S;
  const begin = Date.now();
  const inFlight: Promise<unknown>[] = [];
  let nextVideo = 0;
  for (let i = 0; i < offered; i += 1) {
    const due = begin + (i * 1000) / TEXT_PER_S;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (videos && i % TEXT_PER_S === 0 && nextVideo < videos.keys.length) {
      inFlight.push(offerVideo(context, videos.keys[nextVideo]!, videos.size, nextVideo));
      nextVideo += 1;
    }
    inFlight.push(offerText(context));
  }
  await Promise.all(inFlight);
  await waitFor(
    async () =>
      (await context.db.$count(
        messages,
        and(eq(messages.direction, "out"), gte(messages.queuedAt, since), sql`${messages.sentAt} is not null`),
      )) >= offered,
    300_000,
    `${offered} replies sent`,
  );
  const rows = await context.db.execute<{ ms: number }>(sql`
    select extract(epoch from (o.sent_at - i.created_at)) * 1000 as ms
    from messages o join messages i on i.id = o.reply_to_message_id
    where o.direction = 'out' and o.queued_at >= ${since} and i.type = 'text'`);
  const latencies = rows.rows.map((row) => Number(row.ms)).sort((a, b) => a - b);
  return { since, videosOffered: nextVideo, p95: percentile(latencies, 95), p50: percentile(latencies, 50) };
}

/** Waits until every video offered since `since` is stored (or failed); returns how many were stored and how long each took. */
async function videosSettled(context: TContext, since: Date, offered: number) {
  const settled = () =>
    context.db.execute<{ state: string | null; seconds: number | null }>(sql`
      select m.content->'media'->>'state' as state,
        (select extract(epoch from e.at - m.created_at) from events e
          where e.message_id = m.id and e.type = 'media.stored' limit 1) as seconds
      from messages m
      where m.direction = 'in' and m.type = 'video' and m.created_at >= ${since}`);
  const rows = await waitFor(
    async () => {
      const { rows } = await settled();
      return rows.length >= offered && rows.every((row) => row.state !== "pending") ? rows : undefined;
    },
    300_000,
    `${offered} videos stored`,
  );
  const stored = rows.filter((row) => row.state === "stored");
  const failed = rows.length - stored.length;
  if (failed > 0) note(`${failed} video(s) failed to store`);
  const seconds = stored.map((row) => Number(row.seconds ?? Number.NaN)).filter(Number.isFinite);
  return { stored: stored.length, seconds: seconds.sort((a, b) => a - b) };
}

async function waitForWorker(context: TContext) {
  await waitFor(
    async () =>
      (await context.db.execute(sql`select 1 from worker_heartbeats where stopped_at is null limit 1`)).rows.length ===
      1,
    60_000,
    "the worker",
  );
}

/** One worker's life: a warm-up, then (optionally) the text alone, then the text with videos of `size`. */
async function run(context: TContext, size: number, withBaseline: boolean) {
  const count = PHASE_S;
  note(`staging ${count} videos of ${(size / MB).toFixed(1)} MB…`);
  const started = Date.now();
  const keys = await stageVideos(context.store, count, size);
  note(`staged in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const worker = startWorker(context);
  await waitForWorker(context);
  const memory = memoryOf(worker.child.pid!);
  try {
    // Warm-up: JIT, pools and the rules cache, so the baseline is not the cold start.
    await phase(context, 3);
    let baseline: number | null = null;
    if (withBaseline) {
      const without = await phase(context, PHASE_S);
      baseline = without.p95;
      note(`text alone: p50 ${without.p50.toFixed(0)} ms, p95 ${without.p95.toFixed(0)} ms`);
    }
    memory.reset();
    const during = await phase(context, PHASE_S, { keys, size });
    const videos = await videosSettled(context, during.since, during.videosOffered);
    note(
      `with ${during.videosOffered} videos of ${(size / MB).toFixed(1)} MB: text p50 ${during.p50.toFixed(0)} ms, p95 ${during.p95.toFixed(0)} ms; ${videos.stored} stored`,
    );
    return {
      baseline,
      during: during.p95,
      videos,
      rssPeakMb: memory.sampledPeakMb(),
      highWaterMb: await memory.highWaterMb(),
    };
  } finally {
    memory.stop();
    await stopWorker(worker);
  }
}

export async function runMediaBench() {
  await withBenchDatabase(async ({ url, db }) => {
    const sessionId = await getSimulatorSessionId(db);
    await updateSessionSettings(db, null, sessionId, { pacing: { enabled: false }, simulator: { acks: false } });
    await publishBenchRules(db);
    await updateOrgSettings(db, null, { replyCapLimit: 1_000, replyCapMinutes: 1 });
    const boss = createBoss(url, "web");
    await boss.start();
    const mediaDir = await mkdtemp(path.join(tmpdir(), "switchboard-bench-media-"));
    const context: TContext = {
      url,
      db,
      sessionId,
      ingestor: createInboundIngestor(db, boss),
      store: createFsMediaStore(mediaDir),
      mediaDir,
    };
    note(`text at ${TEXT_PER_S}/s for ${PHASE_S} s per phase; media store ${mediaDir}`);
    try {
      // Just under WhatsApp's 16 MB video limit.
      const big = await run(context, 16 * MB - 4_096, true);
      const small = await run(context, 4 * MB, false);
      report(BENCH, "text_latency_p95_ms_without_media", big.baseline ?? Number.NaN, { offered_per_s: TEXT_PER_S });
      report(BENCH, "text_latency_p95_ms_during_media", big.during, {
        offered_per_s: TEXT_PER_S,
        video_mb: 16,
        videos_per_s: 1,
      });
      report(BENCH, "text_latency_ratio", big.during / (big.baseline ?? Number.NaN), { target_max: 1.5 });
      report(BENCH, "videos_stored", big.videos.stored, { offered: PHASE_S, video_mb: 16 });
      report(BENCH, "media_store_seconds_p95", percentile(big.videos.seconds, 95), { video_mb: 16 });
      report(BENCH, "worker_rss_peak_mb", big.rssPeakMb, { video_mb: 16, vm_hwm_mb: Math.round(big.highWaterMb) });
      report(BENCH, "worker_rss_peak_mb_4mb_files", small.rssPeakMb, {
        video_mb: 4,
        vm_hwm_mb: Math.round(small.highWaterMb),
      });
      report(BENCH, "videos_stored_4mb_files", small.videos.stored, { offered: PHASE_S, video_mb: 4 });
    } finally {
      await boss.stop({ graceful: false });
      await rm(mediaDir, { recursive: true, force: true });
    }
  });
}
