import { type NextRequestWithAuth, withAuth } from "next-auth/middleware";
import type { NextFetchEvent } from "next/server";
import { webEnv } from "~/server/env";
import { malformedPathResponse, pathSegments } from "~/server/rest/path";

/** Every page needs a session; API routes check their own (tRPC procedures, health is public). */
export default function proxy(request: NextRequestWithAuth, event: NextFetchEvent) {
  // The REST API checks its own keys; a path Next.js could not decode gets the API's JSON 400
  // here, before Next.js's route matching answers it with a plain-text 500 (server/rest/path.ts).
  if (request.nextUrl.pathname.startsWith("/api/v1/")) {
    return pathSegments(request.url) ? undefined : malformedPathResponse();
  }
  return withAuth({ pages: { signIn: "/login" }, secret: webEnv().APP_SECRET })(request, event);
}

export const config = {
  matcher: ["/api/v1/:path*", "/((?!api/|_next/|login|favicon.ico|.*\\.(?:svg|png|ico|txt)$).*)"],
};
