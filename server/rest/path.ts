/**
 * The path of a REST request, decoded once. Its own small module (no database, no zod) because
 * the proxy (`proxy.ts`) uses it too: Next.js decodes a dynamic route's parameters before any
 * route handler runs, and answers a malformed escape (`/api/v1/messages/%ZZ`) with a plain-text
 * 500 of its own, so that request must be answered before Next.js matches the route.
 */

/** The path under /api/v1 of a request, split and percent-decoded once; null when an escape is malformed (`%ZZ`). */
export function pathSegments(url: string): string[] | null {
  const raw = new URL(url).pathname.replace(/^\/api\/v1\/?/, "");
  try {
    return raw.split("/").map((segment) => decodeURIComponent(segment));
  } catch {
    return null;
  }
}

/** The API's JSON error body for a path with a malformed percent-escape (with status 400). */
export const MALFORMED_PATH_ERROR = {
  error: {
    code: "bad_request",
    message: "The path has a malformed percent-escape (a % not followed by two hex digits).",
    fields: { path: "Malformed percent-encoding" },
  },
} as const;

/** The API's JSON error for a path with a malformed percent-escape (400, `{ error: { code, message, fields } }`). */
export function malformedPathResponse(): Response {
  return Response.json(MALFORMED_PATH_ERROR, { status: 400, headers: { "cache-control": "no-store" } });
}
