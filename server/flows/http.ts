import http from "node:http";
import https from "node:https";
import { literalHostProblem, safeLookup, urlProblem, WEBHOOK_BLOCKED_CODE } from "~/server/webhooks/url-safety";
import { renderWith, variablesOf } from "~/server/rules/templates";
import type { TStepOf } from "./definition";
import { lookupVariable, type TFlowContext } from "./run";
import type { TFlowValue } from "./state";

/**
 * A flow's HTTP step against the business's own system: the URL, headers and body filled from
 * the flow's variables, the contact's fields and `{{secrets.NAME}}` (Settings → Secrets; URL
 * values are percent-encoded), sent through the webhooks' SSRF guard (an IP literal checked
 * before connecting, a host name through the checked lookup, so DNS cannot swap the address),
 * no redirects followed, one deadline for the whole exchange, at most 1 MiB of answer read and
 * parsed as JSON when it is JSON. An `Idempotency-Key` of the run and step's token goes with it:
 * a retry after a crash between the call and its recording is the same request to the server.
 */

export const MAX_RESPONSE_BYTES = 1_048_576;

export type THttpAnswer = { status: number; body: unknown; error: string | null };

/** The secrets a step uses (`{{secrets.NAME}}`), by name. */
export function secretsUsedBy(step: TStepOf<"http">): string[] {
  const texts = [step.url, step.body, ...step.headers.map((header) => header.value)];
  return [
    ...new Set(
      texts
        .flatMap(variablesOf)
        .flatMap((name) => (name.startsWith("secrets.") ? [name.slice("secrets.".length)] : [])),
    ),
  ];
}

/** The request a step makes with these values (a secret not set in Settings is empty). */
export function renderRequest(
  step: TStepOf<"http">,
  scope: {
    vars: Readonly<Record<string, TFlowValue>>;
    context: Pick<TFlowContext, "template" | "fields">;
    secrets: ReadonlyMap<string, string>;
  },
): THttpRequest {
  return renderHttpTemplate(step, (name) =>
    name.startsWith("secrets.")
      ? (scope.secrets.get(name.slice("secrets.".length)) ?? null)
      : lookupVariable(name, scope.vars, scope.context),
  );
}

export type THttpRequest = { method: string; url: string; headers: Record<string, string>; body: string | null };

/**
 * A request from templates (shared by flows' HTTP steps and the AI's tools): values in the URL
 * percent-encoded, line breaks in header values flattened (no header injection), no body for
 * GET and DELETE, a Content-Type guessed from the body when none is set.
 */
export function renderHttpTemplate(
  template: { method: string; url: string; headers: readonly { name: string; value: string }[]; body: string },
  lookupValue: (name: string) => string | null,
): THttpRequest {
  const lookup = (encode: boolean) => (name: string) => {
    const value = lookupValue(name);
    return value === null ? null : encode ? encodeURIComponent(value) : value;
  };
  const headers: Record<string, string> = {};
  for (const header of template.headers) {
    // A header value cannot hold a line break (it would be a header injection).
    headers[header.name] = renderWith(header.value, lookup(false)).replace(/[\r\n]+/g, " ");
  }
  const body =
    template.method === "GET" || template.method === "DELETE" ? null : renderWith(template.body, lookup(false));
  if (body !== null && !Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
    headers["Content-Type"] = isJson(body) ? "application/json" : "text/plain; charset=utf-8";
  }
  return { method: template.method, url: renderWith(template.url, lookup(true)), headers, body };
}

function isJson(text: string): boolean {
  if (!/^\s*[[{]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Sends the request; never throws: a refused address, a timeout or a broken connection is `status: 0` with `error`. */
export function callHttp(
  request: THttpRequest,
  options: { timeoutMs: number; allowPrivate: boolean; idempotencyKey: string; userAgent?: string },
): Promise<THttpAnswer> {
  const problem = urlProblem(request.url);
  if (problem) return Promise.resolve({ status: 0, body: null, error: `bad_url: ${problem}` });
  const url = new URL(request.url);
  const refused = literalHostProblem(url, options.allowPrivate);
  if (refused) return Promise.resolve({ status: 0, body: null, error: `refused_address: ${refused}` });
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: THttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const req = client.request(
      url,
      {
        method: request.method,
        headers: {
          "User-Agent": options.userAgent ?? "Switchboard-Flows/1",
          Accept: "application/json, text/plain;q=0.5",
          "Idempotency-Key": options.idempotencyKey,
          ...request.headers,
          ...(request.body !== null ? { "Content-Length": Buffer.byteLength(request.body) } : {}),
        },
        lookup: safeLookup(options.allowPrivate),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy();
            finish({ status: response.statusCode ?? 0, body: null, error: "too_large: the answer is over 1 MiB" });
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          if (/json/i.test(response.headers["content-type"] ?? "") || isJson(text)) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          finish({ status: response.statusCode ?? 0, body, error: null });
        });
        response.on("error", (error) => finish({ status: 0, body: null, error: `unreachable: ${error.message}` }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: 0, body: null, error: `timeout: no answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) =>
      finish({
        status: 0,
        body: null,
        error:
          error.code === WEBHOOK_BLOCKED_CODE ? `refused_address: ${error.message}` : `unreachable: ${error.message}`,
      }),
    );
    if (request.body !== null) req.write(request.body);
    req.end();
  });
}
