import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import { literalHostProblem, safeLookup, urlProblem, WEBHOOK_BLOCKED_CODE } from "~/server/webhooks/url-safety";

/**
 * Fetching a file from a URL someone else gave us (`POST /api/v1/messages` with `media.url`):
 * the same SSRF guard as webhooks (an IP literal host checked before connecting, a host name
 * through `safeLookup`, so the address connected to is the one checked and DNS rebinding cannot
 * pass), redirects followed by hand (at most `maxRedirects`, each target checked the same way),
 * one deadline for the whole exchange, body included, and the body handed over as a stream, never
 * buffered. The response's `Content-Type` and `Content-Length` are only claims: the caller
 * streams the body through `intakeMedia`, which finds the real type and cuts off at the limit.
 */

export const MEDIA_URL_ERRORS = [
  /** Not an http(s) URL, or credentials in it. */
  "bad_url",
  /** The host is (or resolves to) a private, loopback or reserved address. */
  "refused_address",
  /** DNS failed, the connection was refused or reset. */
  "unreachable",
  /** The server answered with a status other than 200 (`status` says which). */
  "http_status",
  "too_many_redirects",
  /** No complete answer within the deadline (headers or body). */
  "timeout",
  /** The server said the file is larger than the limit (`Content-Length`). */
  "too_large",
] as const;
export type TMediaUrlErrorCode = (typeof MEDIA_URL_ERRORS)[number];

/** Why a URL could not be fetched; `message` is English, naming the URL's host and what happened. */
export class MediaUrlError extends Error {
  constructor(
    readonly code: TMediaUrlErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "MediaUrlError";
  }
}

export type TFetchMediaOptions = {
  /** Lets loopback and private addresses through (WEBHOOK_ALLOW_PRIVATE_NETWORKS: tests, closed networks). */
  allowPrivate: boolean;
  /** The whole exchange, from the first connection to the body's last byte. */
  timeoutMs: number;
  /** Redirects followed, each one checked (default 3). */
  maxRedirects?: number;
  /** A `Content-Length` above this is refused before reading the body (a lying one is caught by the store). */
  maxBytes?: number;
};

export type TFetchedMedia = {
  /** The body, streaming; it errors with a `MediaUrlError` ("timeout") when the deadline passes mid-body. */
  stream: Readable;
  /** The response's `Content-Type` without parameters: only a claim. */
  claimedMimeType?: string;
  /** From `Content-Disposition`, else the last segment of the final URL's path. */
  fileName?: string;
  /** The response's `Content-Length`: only a claim. */
  declaredSize?: number;
  /** The URL the body came from, after redirects. */
  finalUrl: string;
  /** Why the body stream failed, once it has (the intake only sees the stream end badly). */
  failure: () => MediaUrlError | null;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The file name in a `Content-Disposition` header (`filename*=UTF-8''…` preferred), or undefined. */
export function fileNameOfDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)?.[1];
  if (extended) {
    try {
      return cleanFileName(decodeURIComponent(extended.trim()));
    } catch {
      // A malformed escape: fall back to the plain parameter.
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/.exec(header);
  const value = plain?.[1]?.replace(/\\(.)/g, "$1") ?? plain?.[2]?.trim();
  return value ? cleanFileName(value) : undefined;
}

/** A file name as a person would read it: no path, no control characters, at most 200 characters. */
function cleanFileName(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const base = (value.split(/[/\\]/).pop() ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return base && base !== "." && base !== ".." ? base.slice(0, 200) : undefined;
}

function fileNameOfUrl(url: URL): string | undefined {
  const last = url.pathname.split("/").pop() ?? "";
  try {
    return cleanFileName(decodeURIComponent(last));
  } catch {
    return cleanFileName(last);
  }
}

function describeHost(url: URL): string {
  return url.host;
}

/** Checks one URL (the first or a redirect's target) before connecting to it: scheme, credentials, an IP literal host. */
export function checkMediaUrl(value: string, allowPrivate: boolean): URL {
  const problem = urlProblem(value);
  if (problem) throw new MediaUrlError("bad_url", `${problem}.`);
  const url = new URL(value);
  const literal = literalHostProblem(url, allowPrivate);
  if (literal) throw new MediaUrlError("refused_address", `Refused to fetch from ${literal}.`);
  return url;
}

/**
 * Starts fetching `target` and resolves once a 200 answer's headers are in, with its body as a
 * stream; rejects with a `MediaUrlError` otherwise. The caller must consume or destroy the stream.
 */
export function fetchMediaUrl(target: string, options: TFetchMediaOptions): Promise<TFetchedMedia> {
  const maxRedirects = options.maxRedirects ?? 3;
  let failure: MediaUrlError | null = null;
  let current: http.ClientRequest | null = null;
  let body: http.IncomingMessage | null = null;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    failure = new MediaUrlError("timeout", `No complete answer within ${options.timeoutMs} ms.`);
    // Mid-body, the stream's consumer sees this error; before the headers, `request` rejects with it.
    if (body) body.destroy(failure);
    current?.destroy(failure);
  }, options.timeoutMs);
  timer.unref();

  const request = (url: URL, redirectsLeft: number): Promise<TFetchedMedia> =>
    new Promise<TFetchedMedia>((resolve, reject) => {
      if (timedOut) return reject(failure!);
      const client = url.protocol === "https:" ? https : http;
      const outgoing = client.request(
        url,
        {
          method: "GET",
          headers: { accept: "*/*", "user-agent": "Switchboard media fetch" },
          lookup: safeLookup(options.allowPrivate),
          agent: false,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (REDIRECTS.has(status)) {
            response.destroy();
            const location = response.headers.location;
            if (!location) {
              return reject(
                new MediaUrlError("http_status", `${describeHost(url)} answered ${status} without a Location.`, status),
              );
            }
            if (redirectsLeft <= 0) {
              return reject(
                new MediaUrlError(
                  "too_many_redirects",
                  `More than ${maxRedirects} redirects, the last to ${location}.`,
                ),
              );
            }
            let next: URL;
            try {
              next = checkMediaUrl(new URL(location, url).toString(), options.allowPrivate);
            } catch (error) {
              return reject(
                error instanceof MediaUrlError ? error : new MediaUrlError("bad_url", "A redirect to an invalid URL."),
              );
            }
            request(next, redirectsLeft - 1).then(resolve, reject);
            return;
          }
          if (status !== 200) {
            response.destroy();
            return reject(
              new MediaUrlError("http_status", `${describeHost(url)} answered ${status} for this URL.`, status),
            );
          }
          const declared = response.headers["content-length"];
          const declaredSize = declared && /^\d+$/.test(declared) ? Number(declared) : undefined;
          if (options.maxBytes !== undefined && declaredSize !== undefined && declaredSize > options.maxBytes) {
            response.destroy();
            return reject(
              new MediaUrlError(
                "too_large",
                `${describeHost(url)} says the file is ${declaredSize} bytes, over the limit of ${options.maxBytes}.`,
              ),
            );
          }
          body = response;
          response.on("error", (error: NodeJS.ErrnoException) => {
            failure ??= new MediaUrlError(
              "unreachable",
              `The download from ${describeHost(url)} broke off (${error.message}).`,
            );
          });
          response.on("close", () => clearTimeout(timer));
          const claimed = response.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
          resolve({
            stream: response,
            claimedMimeType: claimed || undefined,
            fileName: fileNameOfDisposition(response.headers["content-disposition"]) ?? fileNameOfUrl(url),
            declaredSize,
            finalUrl: url.toString(),
            failure: () => failure,
          });
        },
      );
      current = outgoing;
      outgoing.on("error", (error: NodeJS.ErrnoException) => {
        if (error instanceof MediaUrlError) return reject(error);
        if (error.code === WEBHOOK_BLOCKED_CODE) {
          return reject(new MediaUrlError("refused_address", `Refused to fetch from ${error.message}.`));
        }
        reject(
          new MediaUrlError(
            "unreachable",
            `${describeHost(url)} could not be reached (${error.code ?? error.message}).`,
          ),
        );
      });
      outgoing.end();
    });

  let first: URL;
  try {
    first = checkMediaUrl(target, options.allowPrivate);
  } catch (error) {
    clearTimeout(timer);
    return Promise.reject(error instanceof Error ? error : new MediaUrlError("bad_url", String(error)));
  }
  return request(first, maxRedirects).catch((error: unknown) => {
    clearTimeout(timer);
    throw error;
  });
}
