import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * How the web learns a client's address. The web entry (`server/web/server.ts`) owns the
 * X-Forwarded-For header that Next sees: without a trusted proxy it replaces whatever the client
 * sent with the socket's address; behind `TRUSTED_PROXY_HOPS` proxies it appends the socket's
 * address (the nearest proxy), behaving like one more trusted hop. So the header always ends with
 * `TRUSTED_PROXY_HOPS + 1` entries that trusted parties wrote, and the client is the first of them.
 */

/** An address as one canonical string: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes `1.2.3.4`. */
export function normalizeAddress(raw: string | undefined | null): string | null {
  const trimmed = raw?.trim();
  // isIP refuses the shorthand forms (`1.2.3`, `0x7f.1`) that ipaddr.js would accept.
  if (!trimmed || isIP(trimmed) === 0) return null;
  return ipaddr.process(trimmed).toString();
}

/**
 * The X-Forwarded-For value the web entry hands to Next for a request whose socket peer is
 * `peer`. With no trusted proxy the client's own header is dropped (anyone can send one); behind
 * proxies the peer is appended to what they wrote.
 */
export function forwardedForWithPeer(
  existing: string | string[] | undefined,
  peer: string | undefined,
  trustedProxyHops: number,
): string | undefined {
  const self = normalizeAddress(peer);
  if (!self) return undefined;
  if (trustedProxyHops < 1) return self;
  const header = Array.isArray(existing) ? existing.join(",") : existing;
  const hops = (header ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  return [...hops, self].join(", ");
}

/**
 * The client's address from the header the web entry wrote: the entry `trustedProxyHops + 1`
 * places from the end. Entries before it are the client's own claims and are ignored. Null when
 * the header is missing or too short (a proxy that did not append, or a server started without
 * the entry).
 */
export function clientAddress(forwardedFor: unknown, trustedProxyHops: number): string | null {
  const header: unknown = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
  if (typeof header !== "string") return null;
  const hops = header
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  return normalizeAddress(hops[hops.length - 1 - trustedProxyHops]);
}
