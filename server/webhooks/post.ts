import http from "node:http";
import https from "node:https";
import { literalHostProblem, safeLookup, WEBHOOK_BLOCKED_CODE } from "./url-safety";

/** The start of a response body kept in the delivery log. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export type TPostResult =
  | { kind: "response"; status: number; latencyMs: number; excerpt: string; retryAfterS: number | null }
  | { kind: "error"; latencyMs: number; error: string; blocked: boolean };

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * One POST to a webhook endpoint: an IP literal host checked before connecting (Node skips
 * `lookup` for those), a host name through the SSRF-checked lookup, no redirects followed (a
 * 3xx is an answer like any other), a hard timeout for the whole exchange, and only the first
 * KiB of the body read (the rest is discarded, not buffered).
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<TPostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(target);
  const client = url.protocol === "https:" ? https : http;
  // An endpoint saved while private networks were allowed must not reach them once they are not.
  const refused = literalHostProblem(url, options.allowPrivate);
  if (refused) return Promise.resolve({ kind: "error", latencyMs: elapsed(), error: refused, blocked: true });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: TPostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: safeLookup(options.allowPrivate),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on("data", (chunk: Buffer) => {
          if (kept < RESPONSE_EXCERPT_BYTES) {
            chunks.push(chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept));
            kept += Math.min(chunk.length, RESPONSE_EXCERPT_BYTES - kept);
          }
          if (kept >= RESPONSE_EXCERPT_BYTES) response.destroy();
        });
        const done = () =>
          finish({
            kind: "response",
            status: response.statusCode ?? 0,
            latencyMs: elapsed(),
            excerpt: Buffer.concat(chunks).toString("utf8"),
            retryAfterS: parseRetryAfter(response.headers["retry-after"]),
          });
        response.on("end", done);
        response.on("close", done);
        response.on("error", done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) => {
      finish({
        kind: "error",
        latencyMs: elapsed(),
        error: error.message.slice(0, 500),
        blocked: error.code === WEBHOOK_BLOCKED_CODE,
      });
    });
    request.end(body);
  });
}
