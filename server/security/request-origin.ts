/**
 * How the app tells where a request came from and whether it was served over HTTPS. The web
 * listens on plain HTTP; HTTPS is a reverse proxy's job, and only a proxy we were told to trust
 * (TRUSTED_PROXY_HOPS) may say so through X-Forwarded-Proto / X-Forwarded-Host. Without one,
 * those headers are the client's own claim and are ignored.
 */
export type TOriginConfig = {
  /** Reverse proxies in front of the web (TRUSTED_PROXY_HOPS). */
  trustedProxyHops: number;
  /** The public address (NEXTAUTH_URL), when set: it says the scheme, and its origin is ours. */
  publicUrl?: string | undefined;
};

/**
 * The entry of a comma-separated forwarding header that the outermost trusted proxy wrote.
 * Proxies either overwrite the header (one entry) or append to it, so with `hops` proxies the
 * outermost one's entry is `hops` places from the end, or the first when there are fewer.
 */
function forwardedEntry(header: string | null, hops: number): string | null {
  if (hops < 1 || !header) return null;
  const entries = header
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries[Math.max(0, entries.length - hops)] ?? null;
}

/** Whether the browser reached us over HTTPS: NEXTAUTH_URL says so, or a trusted proxy does. */
export function isHttpsRequest(headers: Headers, config: TOriginConfig): boolean {
  if (config.publicUrl) return new URL(config.publicUrl).protocol === "https:";
  return forwardedEntry(headers.get("x-forwarded-proto"), config.trustedProxyHops)?.toLowerCase() === "https";
}

/** The host (and port) the browser addressed: a trusted proxy's X-Forwarded-Host, else Host. */
export function requestHost(headers: Headers, config: TOriginConfig): string | null {
  const host = forwardedEntry(headers.get("x-forwarded-host"), config.trustedProxyHops) ?? headers.get("host");
  return host ? host.toLowerCase() : null;
}

/**
 * next-auth's session cookie name for a request: its `__Secure-` variant over HTTPS. next-auth
 * picks the name from the scheme it detects; the page proxy must look for the same one.
 */
export function sessionCookieName(isHttps: boolean): string {
  return `${isHttps ? "__Secure-" : ""}next-auth.session-token`;
}
