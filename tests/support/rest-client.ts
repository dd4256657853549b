/* eslint-disable @typescript-eslint/no-explicit-any -- the API answers untyped JSON; the checks here are what give it a shape. */
import { isDeepStrictEqual } from "node:util";
import type { PgBoss } from "pg-boss";
import type { z } from "zod";
import type { TDb } from "~/db/client";
import { createLogger } from "~/server/logger";
import { handleRestRequest, type TRestDeps } from "~/server/rest/handler";
import type { TRestMedia } from "~/server/rest/media";
import { openApiDocument } from "~/server/rest/openapi";
import { OPERATIONS, ZApiError } from "~/server/rest/operations";

const log = createLogger("rest-test", "silent");

export type TApiResponse = { status: number; headers: Headers; body: Record<string, any>; text: string };

export type TApiRequest = {
  key?: string;
  body?: unknown;
  /** A body sent as is (no JSON encoding, no content type unless given in `headers`). */
  rawBody?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
};

type TDocumentOperation = { responses: Record<string, unknown> };

/** How many responses `checkAgainstOpenApi` has checked in this test file. */
export const checkedResponses = { count: 0 };

/**
 * Checks one answer of /api/v1 against the OpenAPI document the API serves: the status is one
 * the document lists for that operation, and the body matches that status's schema exactly
 * (zod strips unknown keys, so the parsed body must equal the body: no undocumented field).
 * Answers for paths or methods the document does not have (404, 405) must be the Error shape.
 * Throws with the details when the answer is not documented.
 */
export function checkAgainstOpenApi(method: string, pathname: string, response: Omit<TApiResponse, "headers">) {
  checkedResponses.count += 1;
  const fail = (why: string): never => {
    throw new Error(`${method} ${pathname} → ${response.status}: ${why}\nbody: ${response.text.slice(0, 500)}`);
  };
  const document = openApiDocument() as unknown as { paths: Record<string, Record<string, TDocumentOperation>> };
  const path = pathname.replace(/^\/api\/v1/, "").split("?")[0]!;
  if (path === "/openapi.json") return;
  const segments = path.split("/");
  const operation = OPERATIONS.find(
    (candidate) =>
      candidate.method === method.toLowerCase() &&
      candidate.path.split("/").length === segments.length &&
      candidate.path.split("/").every((part, index) => /^\{\w+\}$/.test(part) || part === segments[index]),
  );
  let schema: z.ZodType = ZApiError;
  if (operation) {
    const declared = document.paths[operation.path]?.[operation.method];
    if (!declared) fail(`the document has no ${operation.method} ${operation.path}`);
    if (!declared!.responses[String(response.status)]) {
      fail(`status ${response.status} is not listed (listed: ${Object.keys(declared!.responses).join(", ")})`);
    }
    if (response.status < 400) schema = operation.response;
  } else if (response.status < 400) {
    fail("an undocumented operation answered with success");
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    fail("the body is not JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) fail(`the body does not match its schema: ${JSON.stringify(parsed.error.issues.slice(0, 3))}`);
  if (!isDeepStrictEqual(parsed.data, body)) {
    fail(`the body has fields its schema does not declare: ${JSON.stringify(parsed.data).slice(0, 300)}`);
  }
}

/**
 * A client for the REST API that goes through the real route handler (the one the Next.js route
 * calls) and checks every answer against the OpenAPI document (`checkAgainstOpenApi`).
 */
export function restClient(options: { db: TDb; boss: PgBoss; ratePerMinute?: number; media?: TRestMedia }) {
  const deps: TRestDeps = {
    db: options.db,
    boss: () => Promise.resolve(options.boss),
    ratePerMinute: options.ratePerMinute ?? 100_000,
    log,
    ...(options.media ? { media: options.media } : {}),
  };
  return async (method: string, path: string, request: TApiRequest = {}): Promise<TApiResponse> => {
    const url = `http://localhost/api/v1${path}`;
    const hasJson = request.body !== undefined;
    const response = await handleRestRequest(
      new Request(url, {
        method,
        headers: {
          ...(request.key ? { authorization: `Bearer ${request.key}` } : {}),
          ...(hasJson ? { "content-type": "application/json" } : {}),
          ...request.headers,
        },
        ...(hasJson ? { body: JSON.stringify(request.body) } : {}),
        // Bytes, so that fetch adds no content type of its own (a string body would be text/plain).
        ...(request.rawBody !== undefined
          ? { body: typeof request.rawBody === "string" ? new TextEncoder().encode(request.rawBody) : request.rawBody }
          : {}),
      }),
      deps,
    );
    const text = await response.text();
    const checked = { status: response.status, text, body: {} as Record<string, any> };
    if (!(response.headers.get("content-type") ?? "").startsWith("application/json")) {
      throw new Error(`${method} ${path} → ${response.status}: not JSON (${response.headers.get("content-type")})`);
    }
    checkAgainstOpenApi(method, new URL(url).pathname, checked);
    return { ...checked, headers: response.headers, body: JSON.parse(text) as Record<string, any> };
  };
}
