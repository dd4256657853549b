import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { AppError } from "~/server/errors";

/**
 * Webhooks must not become a way into the network Switchboard runs in (SSRF): an endpoint's
 * host may not be, or resolve to, a loopback, private, link-local (cloud metadata), CGNAT,
 * multicast or otherwise reserved address, unless the deployment allows it
 * (`WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`, which tests set). Checked when an endpoint is saved
 * and again on every connection (the resolved address is the one connected to, so DNS cannot
 * change its answer in between).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === "unicast";
}

/** Why a URL cannot be a webhook endpoint (syntax and scheme only), or null. */
export function urlProblem(value: string): string | null {
  if (!URL.canParse(value)) return "Enter a full URL, e.g. https://example.com/hooks/switchboard";
  const url = new URL(value);
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Use an http:// or https:// URL";
  if (url.username || url.password) return "Put credentials in the receiver, not in the URL";
  return null;
}

type TLookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http(s).request that refuses non-public addresses (unless allowed), so the
 * connection goes only to an address that passed the check.
 */
export function safeLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: TLookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      const list = addresses;
      const blocked = list.find((entry) => !allowPrivate && !isPublicAddress(entry.address));
      if (blocked || list.length === 0) {
        const refused = new Error(
          `${hostname} resolves to ${blocked?.address ?? "nothing"}, a private or reserved address; webhooks may only reach public addresses`,
        ) as NodeJS.ErrnoException;
        refused.code = "EWEBHOOKBLOCKED";
        return callback(refused, "");
      }
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Checks an endpoint URL when it is saved: syntax, scheme, and where its host resolves. */
export async function assertSafeWebhookUrl(value: string, allowPrivate: boolean): Promise<URL> {
  const problem = urlProblem(value);
  if (problem) throw new AppError("BAD_REQUEST", problem, { url: problem });
  const url = new URL(value);
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(host)
    ? [host]
    : await new Promise<string[]>((resolve) => {
        dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found.map((entry) => entry.address)));
      });
  if (addresses.length === 0) {
    const message = `${host} does not resolve; check the host name`;
    throw new AppError("BAD_REQUEST", message, { url: message });
  }
  const blocked = addresses.find((address) => !isPublicAddress(address));
  if (blocked) {
    const what =
      blocked === host
        ? `${host} is a private, loopback or reserved address`
        : `${host} resolves to ${blocked}, a private or reserved address`;
    const message = `${what}; webhooks may only reach public addresses`;
    throw new AppError("BAD_REQUEST", message, { url: message });
  }
  return url;
}
