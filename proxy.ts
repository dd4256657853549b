import { type NextRequestWithAuth, withAuth } from "next-auth/middleware";
import type { NextFetchEvent } from "next/server";
import { webEnv } from "~/server/env";

/** Every page needs a session; API routes check their own (tRPC procedures, health is public). */
export default function proxy(request: NextRequestWithAuth, event: NextFetchEvent) {
  return withAuth({ pages: { signIn: "/login" }, secret: webEnv().APP_SECRET })(request, event);
}

export const config = {
  matcher: ["/((?!api/|_next/|login|favicon.ico|.*\\.(?:svg|png|ico|txt)$).*)"],
};
