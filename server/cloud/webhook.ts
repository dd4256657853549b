import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { enqueue } from "~/server/jobs/boss";
import { repairStrings } from "~/server/lib/storable-text";
import type { Logger } from "~/server/logger";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { getEngine } from "~/server/sessions/engines";
import { CloudConfigError, readCloudSession, type TCloudSession } from "./config";
import { readCappedBody } from "~/server/lib/read-capped";

/**
 * The Cloud API's webhook, `/api/whatsapp/cloud/<sessionId>` (the route file only wires it):
 * Meta's subscription challenge (GET) and its notifications (POST). A notification is checked
 * against `X-Hub-Signature-256` over the raw body before anything reads it, put on the
 * `cloud.webhook` queue as it came, and answered at once: Meta wants an answer within seconds
 * and sends again otherwise, and a worker does the rest (workers/handlers/cloud.ts).
 */

/** The largest notification accepted: Meta's are a few kilobytes (a batch of statuses, a message). */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;
/** How deep a notification's JSON may nest: Meta's go six levels deep. */
const MAX_DEPTH = 64;
/** Meta's retries of one notification within this many seconds make one job (ingest is idempotent anyway). */
const DEDUPE_SECONDS = 15 * 60;

export type TCloudWebhookDeps = {
  db: TDb;
  boss: () => Promise<PgBoss>;
  /** APP_SECRET: opens the number's stored secrets (its app secret and verify token). */
  secret: string;
  logger: Logger;
  /** Headers every answer carries (the app's security headers). */
  baseHeaders?: Record<string, string>;
  maxBytes?: number;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function answer(deps: TCloudWebhookDeps, status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...deps.baseHeaders, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/** The session behind a webhook URL, when it is a number whose engine takes webhooks and is set up; else null. */
async function webhookSession(deps: TCloudWebhookDeps, sessionId: string): Promise<TCloudSession | null> {
  if (!UUID.test(sessionId)) return null;
  let session: TCloudSession | null;
  try {
    session = await readCloudSession(deps.db, sessionId, deps.secret);
  } catch (error) {
    if (!(error instanceof CloudConfigError)) throw error;
    deps.logger.warn({ sessionId, reason: error.message }, "cloud webhook for a number that is not set up");
    return null;
  }
  if (!session) return null;
  const engine = await getEngine(deps.db, session.kind);
  return engineCan(engine?.capabilities, "webhookInbound") ? session : null;
}

/** Equal strings, compared in constant time (for equal lengths; a length differs at once, which tells nothing of the content). */
function sameText(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given, "utf8"), Buffer.from(expected, "utf8")];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether `header` (`X-Hub-Signature-256`) is `sha256=` and the hex HMAC-SHA256 of `body` under
 * the Meta app's secret. Compared in constant time; anything malformed is simply not valid.
 */
export function isValidCloudSignature(body: Buffer, header: string | null, appSecret: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!, "hex");
  const expected = createHmac("sha256", appSecret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** GET: Meta's subscription check. The right verify token gets `hub.challenge` back; anything else 403. */
export async function handleCloudWebhookGet(
  request: Request,
  sessionId: string,
  deps: TCloudWebhookDeps,
): Promise<Response> {
  const session = await webhookSession(deps, sessionId);
  if (!session) return answer(deps, 404, "Not found");
  const query = new URL(request.url).searchParams;
  const token = query.get("hub.verify_token") ?? "";
  const challenge = query.get("hub.challenge") ?? "";
  if (query.get("hub.mode") !== "subscribe" || !sameText(token, session.secrets.verifyToken)) {
    deps.logger.warn({ sessionId }, "cloud webhook subscription refused: wrong mode or verify token");
    return answer(deps, 403, "Forbidden");
  }
  // Meta's challenge is a number; anything else is not echoed back.
  if (!/^[A-Za-z0-9._-]{1,256}$/.test(challenge)) return answer(deps, 400, "Bad challenge");
  return answer(deps, 200, challenge);
}

/** Whether JSON text nests deeper than `max` (counted outside strings), which no notification of Meta's does. */
function nestsDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index += 1;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (char === 0x7d || char === 0x5d) depth -= 1;
  }
  return false;
}

/**
 * POST: one notification. 404 for a URL that is not a webhook number's, 413 past the size cap,
 * 401 unless the signature is Meta's (nothing is parsed before), 400 for a body that is not JSON;
 * then one `cloud.webhook` job (the same body again within minutes makes none) and 200.
 */
export async function handleCloudWebhookPost(
  request: Request,
  sessionId: string,
  deps: TCloudWebhookDeps,
): Promise<Response> {
  const session = await webhookSession(deps, sessionId);
  if (!session) return answer(deps, 404, "Not found");
  const raw = await readCappedBody(request, deps.maxBytes ?? WEBHOOK_MAX_BYTES);
  if (!raw) return answer(deps, 413, "Too large");
  if (!isValidCloudSignature(raw, request.headers.get("x-hub-signature-256"), session.secrets.appSecret)) {
    deps.logger.warn({ sessionId, bytes: raw.length }, "cloud webhook refused: missing or wrong signature");
    return answer(deps, 401, "Invalid signature");
  }
  const text = raw.toString("utf8");
  let parsed: unknown;
  try {
    if (nestsDeeper(text, MAX_DEPTH)) throw new Error("nested too deep");
    parsed = JSON.parse(text);
  } catch {
    deps.logger.warn({ sessionId, bytes: raw.length }, "cloud webhook refused: the body is not JSON");
    return answer(deps, 400, "Not JSON");
  }
  // Postgres cannot keep a NUL or half a surrogate pair in the job's jsonb: repaired, not refused.
  const { value: payload, repairs } = repairStrings(parsed);
  const hash = createHash("sha256").update(raw).digest("hex");
  const jobId = await enqueue(
    await deps.boss(),
    "cloud.webhook",
    { sessionId, payload },
    { singletonKey: `${sessionId}:${hash}`, singletonSeconds: DEDUPE_SECONDS },
  );
  deps.logger.debug({ sessionId, jobId, repeated: jobId === null, repairs }, "cloud webhook queued");
  return answer(deps, 200, "OK");
}
