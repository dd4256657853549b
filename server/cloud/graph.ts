import { GRAPH_DEFAULT_BASE_URL } from "./config";

/**
 * The one HTTP client of Meta's Graph API (the WhatsApp Cloud API): every call the web and the
 * worker make to Meta goes through `graphRequest`, with the number's access token as a bearer
 * token and the version in the path. Errors come back as GraphApiError with Meta's code,
 * subcode, title and details, which `./errors.ts` classifies (retry, wait, fail for good).
 */

export type TGraphClientOptions = {
  /** `https://graph.facebook.com`, or a fake server on loopback in tests (CLOUD_API_BASE_URL). */
  baseUrl?: string;
  version: string;
  accessToken: string;
  /** Per request; the caller's signal also stops it. */
  timeoutMs?: number;
};

/** An error Meta answered with (`{"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id"}}`). */
export class GraphApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number | null,
    readonly subcode: number | null,
    /** Meta's short title (`error_user_title`, or the message), and what it adds (`error_data.details`). */
    readonly title: string,
    readonly details: string | null,
    readonly fbtraceId: string | null,
  ) {
    super(
      `Meta refused the request: ${title}${code !== null ? ` (code ${code})` : ""}${details ? `: ${details}` : ""}`,
    );
    this.name = "GraphApiError";
  }
}

/** Meta could not be reached at all (DNS, connection refused, timeout): the request may be tried again. */
export class GraphUnreachableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "GraphUnreachableError";
  }
}

/**
 * A request body: JSON, a form (built in memory), or a stream sent as it is read (a media
 * upload's multipart body, `./media.ts`), with its content type.
 */
type TGraphBody =
  { json: unknown } | { form: FormData } | { stream: AsyncIterable<Uint8Array>; contentType: string } | undefined;

/** The base URL: the option (CLOUD_API_BASE_URL, read by server/env.ts and workers/env.ts), else Meta's. No trailing slash. */
export function graphBaseUrl(given?: string): string {
  return (given ?? GRAPH_DEFAULT_BASE_URL).replace(/\/+$/, "");
}

/** The URL of a Graph path (`/123/messages`) under a version, or an absolute URL as it is (media downloads). */
export function graphUrl(options: Pick<TGraphClientOptions, "baseUrl" | "version">, path: string): string {
  if (/^https?:\/\//.test(path)) return path;
  return `${graphBaseUrl(options.baseUrl)}/${options.version}/${path.replace(/^\/+/, "")}`;
}

async function errorOf(response: Response): Promise<GraphApiError> {
  const text = await response.text().catch(() => "");
  let error: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as { error?: Record<string, unknown> };
    if (parsed && typeof parsed.error === "object" && parsed.error) error = parsed.error;
  } catch {
    // Not JSON (a proxy's page): the status says what we know.
  }
  const number = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : null);
  const string = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim().slice(0, 500) : null);
  const data = (error.error_data ?? {}) as Record<string, unknown>;
  return new GraphApiError(
    response.status,
    number(error.code),
    number(error.error_subcode),
    string(error.error_user_title) ?? string(error.message) ?? `HTTP ${response.status}`,
    string(data.details) ?? string(error.error_user_msg),
    string(error.fbtrace_id),
  );
}

/** Sends one request; the raw response when it succeeded (2xx), else a GraphApiError / GraphUnreachableError. */
export async function graphFetch(
  options: TGraphClientOptions,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: TGraphBody,
  signal?: AbortSignal,
): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const headers: Record<string, string> = { authorization: `Bearer ${options.accessToken}` };
  let payload: BodyInit | undefined;
  if (body && "json" in body) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body.json);
  } else if (body && "form" in body) {
    payload = body.form;
  } else if (body && "stream" in body) {
    headers["content-type"] = body.contentType;
    // undici sends an async iterable as it is read (chunked), with `duplex: "half"`.
    payload = body.stream as unknown as BodyInit;
  }
  let response: Response;
  try {
    response = await fetch(graphUrl(options, path), {
      method,
      headers,
      body: payload,
      redirect: "error",
      ...(body && "stream" in body ? { duplex: "half" } : {}),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    signal?.throwIfAborted();
    const reason = timeout.aborted
      ? "timed out"
      : ((error as { cause?: { code?: string } }).cause?.code ?? String(error));
    throw new GraphUnreachableError(`Meta's Graph API could not be reached (${reason})`, error);
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** A request whose answer is JSON (every Graph call but a media download). */
export async function graphRequest<T = Record<string, unknown>>(
  options: TGraphClientOptions,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: TGraphBody,
  signal?: AbortSignal,
): Promise<T> {
  const response = await graphFetch(options, method, path, body, signal);
  return (await response.json()) as T;
}
