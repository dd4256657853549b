import { createHash, randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { simulatorDeliveries } from "~/db/schema";
import type { TMediaStore } from "~/server/media/store";
import { enqueueMany } from "~/server/jobs/boss";
import { createGroupCommit } from "~/server/lib/group-commit";
import type { TOutboundMedia } from "~/server/messaging/outbound";
import { mediaOf, textOf } from "~/server/messages/content";
import type { TSessionSettings } from "~/server/sessions/settings";
import type { TEngine, TEngineConnection } from "../types";

/**
 * The simulator: an in-database phone. Sends land in `simulator_deliveries` (one row per send
 * call, so a double send would show); the phone then acknowledges delivery and reading through
 * `simulator.ack` jobs. Messages typed in the Simulator page arrive as `simulator.inbound`
 * jobs (see workers/handlers/messages.ts), which is this engine's inbound side. A photo or voice
 * note the contact sends was uploaded to the media store first (the Simulator page does it), and
 * arrives `pending` with its key: `downloadMedia` reads it back from the store, so a simulated
 * file takes the same receive path (intake, limits, the media job) as one from WhatsApp. A media
 * send reads the file from the store as a real phone would receive it (and checks its bytes are
 * the file's); the delivery row keeps the message's text stand-in (`[Photo]`, the caption), while
 * the message row itself holds the content the Simulator shows.
 */
export function createSimulatorConnection(options: {
  db: TDb;
  boss: PgBoss;
  sessionId: string;
  settings: () => TSessionSettings["simulator"];
  mediaStore?: TMediaStore;
}): TEngineConnection {
  const { db, boss, sessionId } = options;
  // The phone receives messages sent at the same moment in one write (group commit).
  const phone = createGroupCommit(
    async (sends: { to: string; body: string; clientRef: string }[]) => {
      const rows = sends.map((message) => ({
        sessionId,
        toWaId: message.to,
        waMessageId: `sim-${randomUUID()}`,
        clientRef: message.clientRef,
        body: message.body,
      }));
      await db.insert(simulatorDeliveries).values(rows);
      const { acks, deliveredAfterMs, readAfterMs } = options.settings();
      if (acks) {
        const now = Date.now();
        const ack = (status: "delivered" | "read", afterMs: number) =>
          enqueueMany(
            boss,
            "simulator.ack",
            rows.map((row) => ({ sessionId, waMessageId: row.waMessageId, status })),
            { startAfter: new Date(now + afterMs) },
          );
        await ack("delivered", deliveredAfterMs);
        await ack("read", Math.max(readAfterMs, deliveredAfterMs));
      }
      return rows.map((row) => ({ waMessageId: row.waMessageId }));
    },
    { maxBatch: 50 },
  );
  return {
    start: async (handlers) => handlers.onStatus({ status: "ready", phone: "+10000000000" }),
    stop: () => Promise.resolve(),
    async send(message, signal) {
      if (message.media) await receiveFile(message.media, signal);
      const body = message.content ? textOf(message.content) : message.body;
      return phone.submit({ to: message.to, body, clientRef: message.clientRef });
    },
    async downloadMedia({ content }) {
      const media = mediaOf(content);
      if (!options.mediaStore || !media?.storageKey) return null;
      const file = await options.mediaStore.get(media.storageKey);
      if (!file) return null;
      return {
        stream: file.stream,
        size: file.size,
        mimeType: media.mimeType,
        ...(media.fileName ? { fileName: media.fileName } : {}),
      };
    },
    async findSentMany(list) {
      if (list.length === 0) return new Map();
      const rows = await db
        .select({ clientRef: simulatorDeliveries.clientRef, waMessageId: simulatorDeliveries.waMessageId })
        .from(simulatorDeliveries)
        .where(
          and(
            eq(simulatorDeliveries.sessionId, sessionId),
            inArray(
              simulatorDeliveries.clientRef,
              list.map((item) => item.clientRef),
            ),
          ),
        );
      return new Map(rows.flatMap((row) => (row.clientRef ? [[row.clientRef, row.waMessageId] as const] : [])));
    },
  };
}

/** Reads a sent file to its end, as the phone receiving it would; bytes that are not the file's refuse the send. */
async function receiveFile(media: TOutboundMedia, signal?: AbortSignal): Promise<void> {
  const hash = createHash("sha256");
  const stream = await media.open();
  for await (const chunk of stream) {
    if (signal?.aborted) {
      stream.destroy();
      signal.throwIfAborted();
    }
    hash.update(chunk as Buffer);
  }
  const received = hash.digest("hex");
  if (received !== media.sha256) throw new Error(`the media store gave other bytes than file ${media.sha256}`);
}

/** The simulator engine, as the registry lists it: it can show everything (its phone is the database). */
export const simulatorEngine: TEngine<Record<string, never>> = {
  descriptor: {
    kind: "simulator",
    label: "Simulator",
    description:
      "The built-in test phone: chat as any contact on the Simulator page and try rules and replies without a real number.",
    capabilities: {
      text: true,
      media: ["image", "video", "audio", "voice", "document", "sticker", "location", "contacts"],
      reactions: true,
      quotedReplies: true,
      buttons: true,
      templates: true,
      serviceWindow: false,
      presence: false,
      contactPresence: false,
      readReceipts: true,
      pairing: [],
      webhookInbound: false,
      phoneEcho: false,
      // Its phone is the database: a send it never took is certain not to be there.
      resendUnaccepted: true,
    },
    settings: ["pacing"],
    controls: [],
    addable: false,
  },
  connect: ({ db, boss, sessionId, settings, mediaStore }) =>
    createSimulatorConnection({ db, boss, sessionId, settings: () => settings().simulator, mediaStore }),
};
