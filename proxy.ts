import { type NextRequestWithAuth, withAuth } from "next-auth/middleware";
import { type NextFetchEvent, NextResponse } from "next/server";
import { webEnv } from "~/server/env";
import { createNonce, securityHeaders } from "~/server/security/headers";
import { isHttpsRequest, requestHost, sessionCookieName } from "~/server/security/request-origin";

/** Paths anyone may open: sign-in, API routes (they check their own session or key), assets, icons. */
const PUBLIC_PATH = /^\/(?:api\/|_next\/|login(?:\/|$)|[^/]+\.(?:ico|png|svg|txt|webmanifest)$)/;

/**
 * Runs for every request (no matcher): it gives every response, pages, API, static files and
 * 404s alike, the security headers (server/security/headers.ts) with a fresh CSP nonce. Next
 * reads the nonce from the CSP it finds on the request and puts it on its own scripts. Pages
 * other than sign-in need a session.
 *
 * It also rewrites X-Forwarded-Proto and X-Forwarded-Host to what we believe (a trusted proxy's
 * word, else the socket's plain HTTP and Host): next-auth trusts those headers for its origin
 * and picks `__Secure-` cookies from the scheme, so a client can no longer choose either.
 */
export default async function proxy(request: NextRequestWithAuth, event: NextFetchEvent) {
  const env = webEnv();
  const config = { trustedProxyHops: env.TRUSTED_PROXY_HOPS, publicUrl: env.NEXTAUTH_URL };
  const isHttps = isHttpsRequest(request.headers, config);
  const headers = securityHeaders({ nonce: createNonce(), isHttps, isDev: env.NODE_ENV === "development" });

  let response: Response | undefined;
  if (!PUBLIC_PATH.test(request.nextUrl.pathname)) {
    // A redirect to sign-in, or nothing when the session is good.
    response =
      (await withAuth({
        pages: { signIn: "/login" },
        secret: env.APP_SECRET,
        cookies: { sessionToken: { name: sessionCookieName(isHttps) } },
      })(request, event)) ?? undefined;
  }
  if (!response) {
    const forwarded = new Headers(request.headers);
    // Where Next looks for the nonce (its documented contract; 16.4 also copies the response's
    // headers onto the request, so a test cannot tell this line is needed).
    forwarded.set("content-security-policy", headers["content-security-policy"]);
    forwarded.set("x-forwarded-proto", isHttps ? "https" : "http");
    const host = requestHost(request.headers, config);
    if (host) forwarded.set("x-forwarded-host", host);
    response = NextResponse.next({ request: { headers: forwarded } });
  }
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/**
 * Every path but the media routes, the REST API and the WhatsApp webhooks (server/media/serve.ts,
 * upload.ts, app/api/v1 and app/api/whatsapp set the same security headers themselves): Next
 * hands a request body to a proxy by holding all of it in memory and cutting it at 10 MB, and an
 * upload must stream (16 MB videos, 100 MB documents), through /api/media/uploads or POST
 * /api/v1/messages and /api/v1/media. Meta's webhook posts need no session and are checked by
 * their signature over the raw body, which the route reads itself (with its own size cap).
 */
export const config = { matcher: ["/((?!api/media/|api/v1/|api/whatsapp/).*)"] };
