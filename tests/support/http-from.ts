import http from "node:http";

/**
 * HTTP requests from a chosen loopback address (127.0.0.2, 127.0.0.3…: the client socket is bound
 * with `localAddress`), so a test can be several clients at several addresses against the real
 * server: what a client cannot forge, unlike a header.
 */
export type THttpResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

export function httpFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; headersOnly?: boolean } = {},
): Promise<THttpResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: init.method ?? "GET", headers: init.headers, localAddress, timeout: 30_000 },
      (response) => {
        const head = { status: response.statusCode ?? 0, headers: response.headers };
        // An event stream never ends: its status and headers are the answer.
        if (init.headersOnly) {
          response.destroy();
          resolve({ ...head, body: "" });
          return;
        }
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ ...head, body }));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer from ${url} in 30 s`)));
    request.on("error", reject);
    request.end(init.body);
  });
}

/** The cookies a client keeps: what `Set-Cookie` set, minus what it expired. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: THttpResponse): void {
    for (const line of response.headers["set-cookie"] ?? []) {
      const [pair = "", ...attributes] = line.split(";");
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = "", raw = ""] = attribute.split("=").map((part) => part.trim());
        if (key.toLowerCase() === "max-age") return Number(raw) <= 0;
        if (key.toLowerCase() === "expires") return new Date(raw).getTime() <= Date.now();
        return false;
      });
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

/**
 * Signs in through next-auth's credentials endpoint as a browser at `localAddress` would.
 * Returns the cookie jar and the error the login form would show (null on success).
 */
export async function signInFrom(
  localAddress: string,
  baseUrl: string,
  credentials: { email: string; password: string; code?: string },
  extraHeaders: Record<string, string> = {},
): Promise<{ jar: CookieJar; error: string | null }> {
  const jar = new CookieJar();
  const csrf = await httpFrom(localAddress, `${baseUrl}/api/auth/csrf`);
  jar.take(csrf);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const response = await httpFrom(localAddress, `${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: jar.header(),
      origin: baseUrl,
      ...extraHeaders,
    },
    body: new URLSearchParams({ csrfToken, ...credentials, json: "true" }).toString(),
  });
  jar.take(response);
  const { url } = JSON.parse(response.body) as { url: string };
  return { jar, error: new URL(url).searchParams.get("error") };
}
