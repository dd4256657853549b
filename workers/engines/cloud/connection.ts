import type { TDb } from "~/db/client";
import { CloudConfigError, readCloudSession, type TCloudSession } from "~/server/cloud/config";
import { classifyGraphError, describeCheckFailure } from "~/server/cloud/errors";
import { GraphApiError, GraphUnreachableError, graphRequest, type TGraphClientOptions } from "~/server/cloud/graph";
import { downloadCloudMedia, uploadCloudMedia, type TCloudUpload } from "~/server/cloud/media";
import type { Logger } from "~/server/logger";
import type { TMediaStore } from "~/server/media/store";
import { mediaOf } from "~/server/messages/content";
import { MediaMissingError, PermanentSendError, type TOutboundSend } from "~/server/messaging/outbound";
import type { TEngineConnection, TEngineHandlers, TReconnectPlan, TSessionStatus, TStatusReport } from "../types";
import { cloudMessageBody, type TCloudMediaIds } from "./messages";

/** How the worker runs Cloud API numbers (from its environment: workers/engines/cloud/index.ts). */
export type TCloudEngineOptions = {
  /** Opens the numbers' secrets (`wa_sessions.engine_secrets`). */
  appSecret: string;
  /** CLOUD_API_BASE_URL: Meta's Graph API unless set (the tests' fake server). */
  baseUrl?: string;
  /** Retry of a failed check: from this, doubling, to `maxBackoffMs`, with jitter. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Per Graph call (JSON calls; file transfers get longer). */
  timeoutMs?: number;
  /** The backoff's jitter source (tests make it fixed). */
  random?: () => number;
};

export type TCloudConnectionContext = {
  db: TDb;
  log: Logger;
  sessionId: string;
  /** Where a template's header file is read from (a media message's own file comes with the send). */
  mediaStore?: TMediaStore;
};

export type TCloudConnection = TEngineConnection & {
  restart: (reason: string) => Promise<void>;
  status: () => TSessionStatus;
};

/** Meta keeps an uploaded file 30 days: one uploaded within this long is sent again by its id. */
export const UPLOAD_REUSE_MS = 25 * 24 * 3_600_000;
/** Uploads remembered per connection (oldest out first). */
const UPLOAD_CACHE_LIMIT = 1_000;
/** Sends remembered for `findSentMany` (a retry after Meta accepted a send this process could not record). */
const SENT_LIMIT = 5_000;

/** A display number (`+1 415-555-0100`) as E.164. */
export function e164Of(display: string): string | undefined {
  const digits = display.replace(/\D/g, "");
  return digits.length >= 6 ? `+${digits}` : undefined;
}

/**
 * One Cloud API number in the worker holding its lease. `start` reads its settings and checks
 * the token with one call (GET `/<phone-number-id>`): `ready` with the number, or `failed` with
 * exactly what is wrong and a retry with backoff, each retry reading the settings again (a new
 * token saved on the Sessions page is used at once by `restart`). There is no socket to keep:
 * messages arrive by webhook at the web, so the connection is the settings, the token's state,
 * the sends (server/cloud/errors.ts decides retry or fail for good) and file downloads.
 */
export function createCloudConnection(
  context: TCloudConnectionContext,
  options: TCloudEngineOptions,
): TCloudConnection {
  const { db, log, sessionId } = context;
  const random = options.random ?? Math.random;
  let handlers: Pick<TEngineHandlers, "onStatus"> | null = null;
  let status: TSessionStatus = "connecting";
  let session: TCloudSession | null = null;
  let stopped = false;
  let attempt = 0;
  /** Each (re)connect's number: the outcome of an older one, overtaken by a restart, is dropped. */
  let generation = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const uploads = new Map<string, { id: string; at: number }>();
  const sent = new Map<string, string>();

  let chain: Promise<void> = Promise.resolve();
  const report = (next: TSessionStatus, detail: Omit<TStatusReport, "status"> = {}) => {
    status = next;
    chain = chain.then(() =>
      (handlers ? handlers.onStatus({ status: next, ...detail }) : Promise.resolve()).catch((error: unknown) =>
        log.warn({ err: error, sessionId }, "could not record the session status"),
      ),
    );
    return chain;
  };

  const clientOf = (current: TCloudSession): TGraphClientOptions => ({
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    version: current.config.graphVersion,
    accessToken: current.secrets.accessToken,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });

  const planRetry = (): TReconnectPlan => {
    attempt += 1;
    const base = Math.min(options.maxBackoffMs, options.minBackoffMs * 2 ** Math.min(attempt - 1, 40));
    const delayMs = Math.round(base * (0.8 + 0.4 * random()));
    return { attempt, delayMs, at: new Date(Date.now() + delayMs) };
  };

  /** Failed with this reason; the check runs again after the backoff (reading the settings again). */
  const goDown = async (reason: string) => {
    clearTimeout(retryTimer);
    if (stopped) {
      await report("failed", { error: reason });
      return;
    }
    const plan = planRetry();
    log.warn(
      { sessionId, reason, attempt: plan.attempt, delayMs: plan.delayMs },
      "Cloud API number failed; checking again",
    );
    await report("failed", { error: reason, retry: plan });
    retryTimer = setTimeout(() => void connect(), Math.max(0, plan.at.getTime() - Date.now()));
    retryTimer.unref();
  };

  /** Reads the settings and checks the token: `ready` with the number, or `failed` and a retry. */
  async function connect() {
    if (stopped) return;
    clearTimeout(retryTimer);
    const mine = (generation += 1);
    await report("connecting");
    let read: TCloudSession | null;
    try {
      read = await readCloudSession(db, sessionId, options.appSecret);
    } catch (error) {
      if (mine !== generation) return;
      await goDown(
        error instanceof CloudConfigError
          ? `Not set up yet: ${error.message}`
          : `The number's settings could not be read: ${(error as Error).message}`,
      );
      return;
    }
    if (mine !== generation || !read) return;
    session = read;
    const { phoneNumberId } = read.config;
    try {
      const number = await graphRequest<{ display_phone_number?: unknown; verified_name?: unknown }>(
        clientOf(read),
        "GET",
        `${phoneNumberId}?fields=display_phone_number,verified_name`,
      );
      if (mine !== generation || stopped) return;
      attempt = 0;
      const phone = typeof number.display_phone_number === "string" ? e164Of(number.display_phone_number) : undefined;
      log.info({ sessionId, phone, name: number.verified_name }, "Cloud API number ready");
      await report("ready", phone ? { phone } : {});
    } catch (error) {
      if (mine !== generation) return;
      await goDown(describeCheckFailure(error, phoneNumberId));
    }
  }

  /** The settings, read now if no check has read them yet. */
  const current = async (): Promise<TCloudSession> => {
    if (session) return session;
    try {
      const read = await readCloudSession(db, sessionId, options.appSecret);
      if (!read) throw new Error("this Cloud API number no longer exists");
      session = read;
      return read;
    } catch (error) {
      // Not a verdict on the message: it goes once the number is set up.
      throw new Error(`the Cloud API number is not set up: ${(error as Error).message}`, { cause: error });
    }
  };

  /** Meta refused the token while in use: the number shows failed, and is checked again with backoff. */
  const tokenRefused = (error: unknown) => {
    if (status === "failed") return;
    void goDown(describeCheckFailure(error, session?.config.phoneNumberId ?? ""));
  };

  /** The media id of a file: uploaded now, or one uploaded within UPLOAD_REUSE_MS. */
  const upload = async (
    number: TCloudSession,
    file: TCloudUpload & { sha256: string },
    used: string[],
    signal?: AbortSignal,
  ) => {
    const key = `${number.config.phoneNumberId}:${file.sha256}:${file.mimeType}`;
    const cached = uploads.get(key);
    if (cached && Date.now() - cached.at < UPLOAD_REUSE_MS) {
      used.push(key);
      return cached.id;
    }
    const id = await uploadCloudMedia(clientOf(number), number.config.phoneNumberId, file, signal);
    uploads.delete(key);
    uploads.set(key, { id, at: Date.now() });
    while (uploads.size > UPLOAD_CACHE_LIMIT) uploads.delete(uploads.keys().next().value!);
    used.push(key);
    return id;
  };

  /** A template's header file, read from the media store by its key. */
  const headerFile = (message: TOutboundSend) => {
    if (message.content?.kind !== "template") return null;
    const media = message.content.components?.find((component) => component.type === "header")?.media;
    if (!media) return null;
    const key = media.storageKey;
    if (!key || media.state === "removed" || media.state === "failed") throw new MediaMissingError(key ?? "");
    const store = context.mediaStore;
    if (!store) throw new Error("this worker has no media store to read the template's header file from");
    return {
      sha256: key,
      mimeType: media.mimeType,
      ...(media.fileName ? { fileName: media.fileName } : {}),
      open: async () => {
        const found = await store.get(key);
        if (!found) throw new MediaMissingError(key);
        return found.stream;
      },
    };
  };

  return {
    start(given) {
      handlers = given;
      stopped = false;
      void connect();
      return Promise.resolve();
    },
    stop() {
      stopped = true;
      generation += 1;
      clearTimeout(retryTimer);
      return chain;
    },
    async restart(reason) {
      log.info({ sessionId, reason }, "checking the Cloud API number again");
      attempt = 0;
      session = null;
      await connect();
    },
    status: () => status,
    async send(message, signal) {
      const number = await current();
      const used: string[] = [];
      try {
        const ids: TCloudMediaIds = {};
        if (message.media) ids.media = await upload(number, message.media, used, signal);
        const header = headerFile(message);
        if (header) ids.header = await upload(number, header, used, signal);
        const answer = await graphRequest<{ messages?: { id?: unknown }[] }>(
          clientOf(number),
          "POST",
          `${number.config.phoneNumberId}/messages`,
          { json: cloudMessageBody(message, ids) },
          signal,
        );
        const id = answer.messages?.[0]?.id;
        if (typeof id !== "string" || !id) throw new Error("Meta accepted the message without giving its id");
        sent.delete(message.clientRef);
        sent.set(message.clientRef, id);
        while (sent.size > SENT_LIMIT) sent.delete(sent.keys().next().value!);
        return { waMessageId: id };
      } catch (error) {
        if (!(error instanceof GraphApiError || error instanceof GraphUnreachableError)) throw error;
        // A file Meta may have dropped is uploaded again next time.
        if (error instanceof GraphApiError) for (const key of used) uploads.delete(key);
        const verdict = classifyGraphError(error);
        if (verdict.action === "fail") throw new PermanentSendError(verdict.reason, { cause: error });
        if (verdict.action === "auth") tokenRefused(error);
        throw new Error(verdict.reason, { cause: error });
      }
    },
    async downloadMedia({ content }, signal) {
      const ref = mediaOf(content)?.engineRef;
      if (!ref) return null;
      const number = await current();
      try {
        return await downloadCloudMedia(clientOf(number), ref, signal);
      } catch (error) {
        if (classifyGraphError(error).action === "auth") tokenRefused(error);
        throw error;
      }
    },
    findSentMany(list) {
      return Promise.resolve(
        new Map(
          list.flatMap((item) => {
            const id = sent.get(item.clientRef);
            return id ? [[item.clientRef, id] as const] : [];
          }),
        ),
      );
    },
  };
}
