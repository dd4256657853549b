import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { z } from "zod";
import type { TDb, TTx } from "~/db/client";
import type { TApiScope } from "~/db/schema";
import { apiIdempotency } from "~/db/schema";
import { AppError, type TAppErrorCode } from "~/server/errors";
import {
  describeUnstorableText,
  findUnstorableText,
  RESERVED_KEYS,
  unstorableTextMessage,
} from "~/server/lib/storable-text";
import type { Logger } from "~/server/logger";
import { ApiAuthError, authenticateApiKey, takeRateLimit, type TApiCaller } from "./api-keys";
import {
  ApiMediaRefusal,
  isMultipartRequest,
  readMediaUpload,
  requestLinker,
  resolveMediaUrl,
  type TRestMedia,
} from "./media";
import { openApiDocument } from "./openapi";
import { malformedPathResponse, pathSegments } from "./path";
import { ApiAnswer, type TInputPart, type TOperation } from "./operation";
import { OPERATIONS, type ZApiError } from "./operations";
import { readCappedBody } from "~/server/lib/read-capped";

export type TRestDeps = {
  db: TDb;
  boss: () => Promise<PgBoss>;
  /** Requests per key per minute. */
  ratePerMinute: number;
  log: Logger;
  /** The media intake, store and signer; without it, operations that take files answer 503. */
  media?: TRestMedia;
};

const MAX_BODY_BYTES = 1_000_000;

type TErrorCode = z.infer<typeof ZApiError>["error"]["code"];

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

function error(
  status: number,
  code: TErrorCode,
  message: string,
  extra: { fields?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  return json(status, { error: { code, message, ...(extra.fields ? { fields: extra.fields } : {}) } }, extra.headers);
}

const APP_ERRORS: Record<TAppErrorCode, [number, TErrorCode]> = {
  BAD_REQUEST: [400, "bad_request"],
  UNAUTHORIZED: [401, "unauthorized"],
  FORBIDDEN: [403, "forbidden"],
  NOT_FOUND: [404, "not_found"],
  CONFLICT: [409, "conflict"],
  TOO_MANY_REQUESTS: [429, "rate_limited"],
};

function fieldsOf(issues: z.core.$ZodIssue[], where: TInputPart): Record<string, string> {
  const fields = new Map<string, string>();
  for (const issue of issues) {
    const path = fieldPath(where, issue.path);
    if (!fields.has(path)) fields.set(path, issue.message);
  }
  // fromEntries defines each key as its own property, "__proto__" included.
  return Object.fromEntries(fields);
}

/** The operation for a method and path, its path parameters, or why none fits. */
function route(method: string, segments: string[]) {
  let pathMatched = false;
  for (const operation of OPERATIONS) {
    const template = operation.path.split("/").filter(Boolean);
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = template.every((part, index) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name) {
        params[name] = segments[index]!;
        return true;
      }
      return part === segments[index];
    });
    if (!fits) continue;
    pathMatched = true;
    if (operation.method === method) return { operation, params };
  }
  return { operation: null, pathMatched };
}

class BadInput extends Error {
  constructor(
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

/** The JSON path of a field in the `fields` map: body fields bare, the others under `path.` or `query.`. */
function fieldPath(where: TInputPart, path: readonly (string | number | symbol)[]): string {
  const name = [where === "body" ? "" : where, ...path.map(String)].filter(Boolean).join(".") || "(body)";
  // A key such as "__proto__" would reach the prototype of a client that merges `fields`.
  return RESERVED_KEYS.has(name) ? `body.${name}` : name;
}

/** Refuses text Postgres cannot store (NUL, a lone surrogate) anywhere in a request, before any schema runs. */
function refuseUnstorableText(parts: { where: TInputPart; value: unknown }[]) {
  for (const { where, value } of parts) {
    const found = findUnstorableText(value);
    if (!found) continue;
    const field = fieldPath(where, found.path);
    throw new BadInput(unstorableTextMessage(`“${field}”`, found), { [field]: describeUnstorableText(found) });
  }
}

class UnsupportedMediaType extends Error {
  constructor(readonly multipart = false) {
    super("unsupported media type");
  }
}
class MediaUnavailable extends Error {}
class PayloadTooLarge extends Error {}

/** The body as text, read no further than `MAX_BODY_BYTES` (`readCappedBody`). */
async function readCapped(request: Request): Promise<string> {
  const body = await readCappedBody(request, MAX_BODY_BYTES);
  if (!body) throw new PayloadTooLarge();
  return body.toString("utf8");
}

/** Whether a content-type header says JSON (`application/json`, any parameters). */
function isJson(contentType: string | null): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

async function readBody(
  request: Request,
  operation: TOperation,
  media: TRestMedia | undefined,
): Promise<{ text: string; value: unknown }> {
  if (!operation.body) return { text: "", value: undefined };
  if (operation.media && isMultipartRequest(request)) {
    if (!media) throw new MediaUnavailable();
    return readMediaUpload(request, media, operation.media.shape);
  }
  if (operation.media?.multipartOnly) throw new UnsupportedMediaType(true);
  const contentType = request.headers.get("content-type");
  const text = await readCapped(request);
  // A body must say it is JSON; an empty one may say nothing (the operation's schema decides).
  if ((contentType !== null || text !== "") && !isJson(contentType)) throw new UnsupportedMediaType(!!operation.media);
  if (text.trim() === "") return { text, value: undefined };
  try {
    return { text, value: JSON.parse(text) };
  } catch {
    throw new BadInput("The body is not valid JSON.");
  }
}

/**
 * `/api/v1/*`: routes a request to its operation, authenticates the key, checks its scope and
 * rate limit, validates path, query and body with the operation's zod schemas, runs it
 * (idempotent ones inside a transaction that stores their answer), and answers JSON; every
 * error is `{ error: { code, message, fields? } }`.
 */
export async function handleRestRequest(request: Request, deps: TRestDeps): Promise<Response> {
  const method = request.method.toLowerCase();
  const segments = pathSegments(request.url);
  if (!segments) return malformedPathResponse();
  if (method === "get" && segments.length === 1 && segments[0] === "openapi.json") {
    return json(200, openApiDocument(), { "cache-control": "public, max-age=60" });
  }
  const found = route(method, segments);
  if (!found.operation) {
    return found.pathMatched
      ? error(405, "bad_request", `${request.method} is not supported here.`)
      : error(404, "not_found", "There is no such endpoint; see /api/v1/openapi.json.");
  }
  const { operation, params } = found;
  try {
    const admitted = await admitApiCaller(deps.db, request, deps.ratePerMinute, operation.scope);
    if (admitted instanceof Response) return admitted;
    const caller = admitted;
    const url = new URL(request.url);
    const rawQuery = Object.fromEntries(url.searchParams);
    const { text, value: read } = await readBody(request, operation, deps.media);
    refuseUnstorableText([
      { where: "path", value: params },
      { where: "query", value: rawQuery },
      { where: "body", value: read },
    ]);
    let accepted = operation.accept({ params, query: rawQuery, body: read });
    if (!accepted.ok) {
      throw new BadInput(`The ${accepted.where} is not valid.`, fieldsOf(accepted.issues, accepted.where));
    }
    const idempotencyKey = request.headers.get("idempotency-key")?.trim();
    if (operation.media?.url && hasMediaUrl(read)) {
      if (!deps.media) throw new MediaUnavailable();
      // A repeat of an answered request is answered from the store below: its URL is not fetched again.
      const answered =
        operation.idempotent && idempotencyKey ? await hasStoredAnswer(deps.db, caller.keyId, idempotencyKey) : false;
      if (!answered) {
        accepted = operation.accept({ params, query: rawQuery, body: await resolveMediaUrl(read, deps.media) });
        if (!accepted.ok) {
          throw new BadInput(`The ${accepted.where} is not valid.`, fieldsOf(accepted.issues, accepted.where));
        }
      }
    }
    const context = { db: deps.db, boss: deps.boss, caller, linker: requestLinker(deps.media, request) };
    const answer = (result: unknown, headers: Record<string, string> = {}) =>
      result instanceof ApiAnswer ? json(result.status, result.body, headers) : json(operation.status, result, headers);

    if (!operation.idempotent) return answer(await accepted.run({ ...context, tx: null }));

    const key = idempotencyKey;
    if (!key || key.length > 255) {
      return error(400, "bad_request", "Send an Idempotency-Key header (up to 255 characters) with this request.", {
        fields: { "Idempotency-Key": "Required" },
      });
    }
    const fingerprint = createHash("sha256").update(`${method} ${url.pathname}\n${text}`).digest("hex");
    const stored = await answerOnce(deps.db, { keyId: caller.keyId, key, fingerprint }, async (tx) => {
      const result = await accepted.run({ ...context, tx });
      return result instanceof ApiAnswer
        ? { status: result.status, body: result.body }
        : { status: operation.status, body: result };
    });
    if (!stored.replayed) return json(stored.response.status, stored.response.body);
    if (!stored.sameRequest) {
      return error(422, "unprocessable", "This Idempotency-Key was used for another request; use a new key.");
    }
    return json(stored.response.status, stored.response.body, { "idempotent-replayed": "true" });
  } catch (caught) {
    if (caught instanceof BadInput) return error(400, "bad_request", caught.message, { fields: caught.fields });
    if (caught instanceof PayloadTooLarge) {
      return error(413, "payload_too_large", "The body is larger than 1 MB.", {
        fields: { body: "At most 1 MB" },
      });
    }
    if (caught instanceof UnsupportedMediaType) {
      return caught.multipart
        ? error(
            415,
            "unsupported_media_type",
            operation.media?.multipartOnly
              ? "Send the file as multipart/form-data: the fields, then one part named “file”."
              : "Send the body as JSON (content-type: application/json), or as multipart/form-data with the file.",
            { fields: { "content-type": "Must be application/json or multipart/form-data" } },
          )
        : error(415, "unsupported_media_type", "Send the body as JSON, with content-type: application/json.", {
            fields: { "content-type": "Must be application/json" },
          });
    }
    if (caught instanceof ApiMediaRefusal) {
      return error(caught.status, caught.code, caught.message, { fields: { [caught.field]: caught.message } });
    }
    if (caught instanceof MediaUnavailable) {
      return error(503, "internal", "Media is not available on this server (no media store is configured).");
    }
    if (caught instanceof AppError) {
      const [status, code] = APP_ERRORS[caught.code];
      return error(status, code, caught.message, { fields: caught.fieldErrors });
    }
    deps.log.error({ err: caught, path: segments.join("/") }, "REST API request failed");
    return error(500, "internal", "Something went wrong on our side; the error is in the server log.");
  }
}

/**
 * The key behind a request (`Authorization: Bearer sb_…`), holding `scope` when one is asked,
 * counted against its per-minute limit; or the JSON error answer to send instead (401 no or bad
 * key, 403 missing scope, 429 over the limit with Retry-After). /api/v1 and /api/mcp both admit
 * callers through it.
 */
export async function admitApiCaller(
  db: TDb,
  request: Request,
  ratePerMinute: number,
  scope?: TApiScope,
): Promise<TApiCaller | Response> {
  let caller: TApiCaller;
  try {
    caller = await authenticateApiKey(db, request.headers.get("authorization"));
  } catch (caught) {
    if (caught instanceof ApiAuthError)
      return error(caught.status, caught.status === 401 ? "unauthorized" : "forbidden", caught.message);
    throw caught;
  }
  if (scope && !caller.scopes.includes(scope)) {
    return error(403, "forbidden", `This key lacks the "${scope}" scope.`);
  }
  const wait = await takeRateLimit(db, caller.keyId, ratePerMinute);
  if (wait !== null) {
    return error(429, "rate_limited", `Over ${ratePerMinute} requests a minute; try again in ${wait} s.`, {
      headers: { "retry-after": String(wait) },
    });
  }
  return caller;
}

/** An idempotent request's stored answer: its status and JSON body. */
export type TStoredAnswer = { status: number; body: unknown };

/**
 * Runs `run` once per API key and idempotency key: the first request claims the key and its
 * answer is stored in the same transaction; a repeat (also one running concurrently, which waits
 * for the first to commit) gets the stored answer without running anything, `sameRequest` saying
 * whether its fingerprint matches the first's. Shared by the REST API's idempotent operations and
 * the MCP server's send tool.
 */
export async function answerOnce(
  db: TDb,
  claim: { keyId: string; key: string; fingerprint: string },
  run: (tx: TTx) => Promise<TStoredAnswer>,
): Promise<
  { replayed: false; response: TStoredAnswer } | { replayed: true; sameRequest: boolean; response: TStoredAnswer }
> {
  const { keyId, key, fingerprint } = claim;
  return db.transaction(async (tx) => {
    // A concurrent request with the same key waits here for the first one to commit.
    const claimed = await tx
      .insert(apiIdempotency)
      .values({ keyId, idempotencyKey: key, fingerprint, response: {} })
      .onConflictDoNothing()
      .returning({ keyId: apiIdempotency.keyId });
    if (claimed.length === 0) {
      const [previous] = await tx
        .select()
        .from(apiIdempotency)
        .where(and(eq(apiIdempotency.keyId, keyId), eq(apiIdempotency.idempotencyKey, key)));
      return {
        replayed: true as const,
        sameRequest: previous!.fingerprint === fingerprint,
        response: previous!.response as TStoredAnswer,
      };
    }
    const response = JSON.parse(JSON.stringify(await run(tx))) as TStoredAnswer;
    await tx
      .update(apiIdempotency)
      .set({ response })
      .where(and(eq(apiIdempotency.keyId, keyId), eq(apiIdempotency.idempotencyKey, key)));
    return { replayed: false as const, response };
  });
}

/** Whether a JSON body names its media by URL (`media: { url }`). */
function hasMediaUrl(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const media = (value as { media?: unknown }).media;
  return typeof media === "object" && media !== null && "url" in media;
}

/** Whether a key's idempotent request was answered already (or is being answered now). */
async function hasStoredAnswer(db: TDb, keyId: string, idempotencyKey: string): Promise<boolean> {
  const found = await db
    .select({ keyId: apiIdempotency.keyId })
    .from(apiIdempotency)
    .where(and(eq(apiIdempotency.keyId, keyId), eq(apiIdempotency.idempotencyKey, idempotencyKey)));
  return found.length > 0;
}

/** How long an `Idempotency-Key`'s answer is kept: a retry within it gets the same answer. */
export const IDEMPOTENCY_KEPT_DAYS = 7;

/** Answers to idempotent requests older than `IDEMPOTENCY_KEPT_DAYS` (the key may then be used again). */
export async function pruneApiIdempotency(db: TDb): Promise<number> {
  const { rowCount } = await db.execute(
    sql`delete from api_idempotency where created_at < now() - make_interval(days => ${IDEMPOTENCY_KEPT_DAYS})`,
  );
  return rowCount ?? 0;
}

/** Old rate-limit windows (kept an hour). */
export async function pruneApiUsage(db: TDb): Promise<number> {
  const { rowCount } = await db.execute(sql`delete from api_key_usage where window_start < now() - interval '1 hour'`);
  return rowCount ?? 0;
}
