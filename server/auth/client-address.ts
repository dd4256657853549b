/**
 * The client's address as seen by the outermost trusted proxy: each proxy appends the address
 * it received the request from to X-Forwarded-For, so with `trustedHops` proxies the client is
 * the entry that many places from the end. Entries before it are the client's own claims and
 * are ignored. With no trusted proxy there is no address we can trust: null.
 */
export function clientAddress(forwardedFor: unknown, trustedHops: number): string | null {
  if (trustedHops < 1) return null;
  const header: unknown = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
  if (typeof header !== "string") return null;
  const hops = header
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  return hops[hops.length - trustedHops] ?? null;
}
