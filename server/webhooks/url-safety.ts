import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { AppError } from "~/server/errors";

/**
 * Webhooks must not become a way into the network Switchboard runs in (SSRF). Every address an
 * endpoint's host is, or resolves to, falls in one of three classes:
 *
 * - `public`: IPv4 unicast outside every special range; IPv6 global unicast (2000::/3) outside
 *   every special range; an IPv4 address embedded in IPv4-mapped (`::ffff:a.b.c.d`) or NAT64
 *   (`64:ff9b::a.b.c.d`) form is judged as that IPv4 address.
 * - `private`: loopback, RFC 1918, link-local (cloud metadata), CGNAT, IPv6 unique-local:
 *   refused unless the deployment allows them (`WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`).
 * - `forbidden`: everything else, always refused: `0.0.0.0` and `::`, multicast, broadcast,
 *   reserved and documentation ranges, IPv4-compatible IPv6 (`::a.b.c.d`, deprecated, and
 *   `[::127.0.0.1]` would otherwise pass for public), 6to4, Teredo, local-use NAT64 and any
 *   other transition or special-purpose range.
 *
 * Checked when an endpoint is saved, and again before every connection: through `lookup` for a
 * host name (the resolved address is the one connected to, so DNS cannot change its answer in
 * between), and on the literal itself for an IP host (Node does not call `lookup` for those).
 */
export type TAddressClass = "public" | "private" | "forbidden";

const PRIVATE_V4_RANGES = new Set(["loopback", "private", "linkLocal", "carrierGradeNat"]);
const PRIVATE_V6_RANGES = new Set(["loopback", "linkLocal", "uniqueLocal"]);
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");
const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96");

function classifyIPv4(address: ipaddr.IPv4): TAddressClass {
  const range = address.range();
  if (range === "unicast") return "public";
  return PRIVATE_V4_RANGES.has(range) ? "private" : "forbidden";
}

function classifyIPv6(address: ipaddr.IPv6): TAddressClass {
  if (address.isIPv4MappedAddress()) return classifyIPv4(address.toIPv4Address());
  if (address.match(NAT64_WELL_KNOWN)) {
    // The last 32 bits are the IPv4 address a NAT64 gateway would connect to.
    const bytes = address.toByteArray();
    return classifyIPv4(new ipaddr.IPv4(bytes.slice(12)));
  }
  const range = address.range();
  if (PRIVATE_V6_RANGES.has(range)) return "private";
  return range === "unicast" && address.match(GLOBAL_UNICAST_V6) ? "public" : "forbidden";
}

/** The class of an IP address (see above); anything that is not an IP address is `forbidden`. */
export function classifyAddress(address: string): TAddressClass {
  const bare = address.replace(/^\[|\]$/g, "");
  // Only the canonical forms an URL or a resolver produces; "0x7f.1" and friends are not addresses here.
  if (!isIP(bare)) return "forbidden";
  const parsed = ipaddr.parse(bare);
  return parsed.kind() === "ipv4" ? classifyIPv4(parsed as ipaddr.IPv4) : classifyIPv6(parsed as ipaddr.IPv6);
}

/** Whether a webhook may connect to `address`. */
export function isAllowedAddress(address: string, allowPrivate: boolean): boolean {
  const found = classifyAddress(address);
  return found === "public" || (found === "private" && allowPrivate);
}

/** Why `address` is refused, in the words of the delivery log and the endpoint form ("… is a private or loopback address"). */
function refusalOf(address: string): string {
  return classifyAddress(address) === "private"
    ? "a private or loopback address; webhooks may only reach public addresses"
    : "a reserved address (unspecified, multicast, documentation, IPv4-compatible or tunnel range); no webhook may reach it";
}

/**
 * Why an endpoint may not connect to its IP literal host (`http://127.0.0.1/`, `http://[::1]/`),
 * or null when the host is a name (checked by `safeLookup` on connection) or an allowed address.
 */
export function literalHostProblem(url: URL, allowPrivate: boolean): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!isIP(host)) return null;
  if (isAllowedAddress(host, allowPrivate)) return null;
  return `${host} is ${refusalOf(host)}`;
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

/** The error code of an SSRF refusal: the delivery is dead, not retried. */
export const WEBHOOK_BLOCKED_CODE = "EWEBHOOKBLOCKED";

/**
 * A `lookup` for http(s).request that refuses addresses that are not allowed, so the
 * connection goes only to an address that passed the check.
 */
export function safeLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: TLookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      const list = addresses;
      const blocked = list.find((entry) => !isAllowedAddress(entry.address, allowPrivate));
      if (blocked || list.length === 0) {
        const refused = new Error(
          blocked
            ? `${hostname} resolves to ${blocked.address}, ${refusalOf(blocked.address)}`
            : `${hostname} resolves to no address`,
        ) as NodeJS.ErrnoException;
        refused.code = WEBHOOK_BLOCKED_CODE;
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
  const literal = literalHostProblem(url, allowPrivate);
  if (literal) throw new AppError("BAD_REQUEST", literal, { url: literal });
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // With private networks allowed, a host name is not resolved here (it may be an internal
  // name this process cannot see yet); every connection still checks what it resolves to.
  if (allowPrivate || isIP(host)) return url;
  const addresses = await new Promise<string[]>((resolve) => {
    dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found.map((entry) => entry.address)));
  });
  if (addresses.length === 0) {
    const message = `${host} does not resolve; check the host name`;
    throw new AppError("BAD_REQUEST", message, { url: message });
  }
  const blocked = addresses.find((address) => !isAllowedAddress(address, allowPrivate));
  if (blocked) {
    const message = `${host} resolves to ${blocked}, ${refusalOf(blocked)}`;
    throw new AppError("BAD_REQUEST", message, { url: message });
  }
  return url;
}
