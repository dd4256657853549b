import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postWebhook } from "./post";
import { assertSafeWebhookUrl, classifyAddress, safeLookup } from "./url-safety";

type TVerdict = "allowed" | "refused";

/**
 * Every form of address an endpoint URL can carry → whether it may be saved, with private
 * networks refused (the default) and allowed (`WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`).
 */
const TABLE: [url: string, strict: TVerdict, allowingPrivate: TVerdict][] = [
  // Public addresses.
  ["http://8.8.8.8/hook", "allowed", "allowed"],
  ["https://[2606:4700:4700::1111]/hook", "allowed", "allowed"],
  ["http://[64:ff9b::8.8.8.8]/", "allowed", "allowed"], // NAT64 of a public IPv4 address
  ["http://[::ffff:8.8.8.8]/", "allowed", "allowed"], // IPv4-mapped public address
  // Loopback, in every spelling the WHATWG parser accepts.
  ["http://127.0.0.1:8080/hook", "refused", "allowed"],
  ["http://127.0.0.1./hook", "refused", "allowed"], // trailing dot
  ["http://2130706433/", "refused", "allowed"], // decimal
  ["http://0x7f.1/", "refused", "allowed"], // hex, short form
  ["http://0x7f000001/", "refused", "allowed"],
  ["http://017700000001/", "refused", "allowed"], // octal
  ["http://127.1/", "refused", "allowed"],
  ["http://[::1]/hook", "refused", "allowed"],
  ["http://[::ffff:127.0.0.1]/", "refused", "allowed"], // IPv4-mapped
  ["http://[::ffff:7f00:1]/", "refused", "allowed"], // IPv4-mapped, hex
  ["http://[64:ff9b::127.0.0.1]/", "refused", "allowed"], // NAT64 of loopback
  ["http://localhost:9000/hook", "refused", "allowed"], // resolves to loopback
  // Private networks, link-local (cloud metadata), CGNAT, unique-local.
  ["http://10.0.0.1/hook", "refused", "allowed"],
  ["http://172.16.5.4/", "refused", "allowed"],
  ["http://192.168.1.1/", "refused", "allowed"],
  ["http://169.254.169.254/latest/meta-data", "refused", "allowed"],
  ["http://100.64.0.1/", "refused", "allowed"],
  ["http://[64:ff9b::10.0.0.1]/", "refused", "allowed"], // NAT64 of a private address
  ["http://[fd12:3456::1]/", "refused", "allowed"],
  ["http://[fe80::1]/", "refused", "allowed"],
  // Never a webhook target, whatever the setting.
  ["http://[::127.0.0.1]/", "refused", "refused"], // IPv4-compatible (saved as [::7f00:1] before)
  ["http://[::7f00:1]/", "refused", "refused"],
  ["http://[::8.8.8.8]/", "refused", "refused"], // IPv4-compatible, even of a public address
  ["http://0.0.0.0/", "refused", "refused"],
  ["http://0/", "refused", "refused"],
  ["http://[::]/", "refused", "refused"],
  ["http://224.0.0.1/", "refused", "refused"], // multicast
  ["http://255.255.255.255/", "refused", "refused"],
  ["http://240.0.0.1/", "refused", "refused"], // reserved
  ["http://192.0.2.10/", "refused", "refused"], // documentation
  ["http://[ff02::1]/", "refused", "refused"],
  ["http://[2001:db8::1]/", "refused", "refused"],
  ["http://[100::1]/", "refused", "refused"], // discard
  ["http://[2002:7f00:1::]/", "refused", "refused"], // 6to4 (of 127.0.0.1)
  ["http://[2002:808:808::1]/", "refused", "refused"], // 6to4 is refused whole
  ["http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "refused", "refused"], // Teredo
  ["http://[64:ff9b:1::a00:1]/", "refused", "refused"], // local-use NAT64
  ["http://[::ffff:0:7f00:1]/", "refused", "refused"], // IPv4-translated (RFC 6145)
  ["http://[4000::1]/", "refused", "refused"], // outside global unicast 2000::/3
];

async function verdictOf(url: string, allowPrivate: boolean): Promise<TVerdict> {
  try {
    await assertSafeWebhookUrl(url, allowPrivate);
    return "allowed";
  } catch (error) {
    expect((error as Error).message).toMatch(/private|loopback|reserved/);
    return "refused";
  }
}

describe("webhook URL safety", () => {
  it.each(TABLE)("%s: %s by default, %s with private networks allowed", async (url, strict, allowingPrivate) => {
    expect(await verdictOf(url, false)).toBe(strict);
    expect(await verdictOf(url, true)).toBe(allowingPrivate);
  });

  it("names the field and the address in the refusal", async () => {
    await expect(assertSafeWebhookUrl("http://[::127.0.0.1]/", true)).rejects.toMatchObject({
      message: expect.stringMatching(/^::7f00:1 is a reserved address/),
      fieldErrors: { url: expect.stringMatching(/reserved address/) },
    });
    await expect(assertSafeWebhookUrl("http://127.0.0.1/", false)).rejects.toThrow(
      "127.0.0.1 is a private or loopback address; webhooks may only reach public addresses",
    );
  });

  it("treats anything that is not a canonical IP address as forbidden", () => {
    expect(classifyAddress("example.com")).toBe("forbidden");
    expect(classifyAddress("0x7f.1")).toBe("forbidden");
    expect(classifyAddress("")).toBe("forbidden");
    expect(classifyAddress("[::1]")).toBe("private");
  });

  it("refuses on connection a host name that resolves to loopback", async () => {
    const lookup = safeLookup(false);
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup("localhost", { all: true }, (failure) => resolve(failure)),
    );
    expect(error).toMatchObject({ code: "EWEBHOOKBLOCKED", message: expect.stringMatching(/^localhost resolves to/) });
    const allowed = await new Promise<unknown>((resolve) =>
      safeLookup(true)("localhost", { all: true }, (failure, addresses) => resolve(failure ?? addresses)),
    );
    expect(allowed).toEqual(expect.arrayContaining([expect.objectContaining({ address: "127.0.0.1" })]));
  });
});

describe("postWebhook on an IP literal", () => {
  let received = 0;
  const server = http.createServer((request, response) => {
    received += 1;
    request.resume();
    response.end("ok");
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("refuses a loopback literal before connecting once private networks are not allowed", async () => {
    for (const host of ["127.0.0.1", "[::ffff:127.0.0.1]", "2130706433"]) {
      const result = await postWebhook(`http://${host}:${port}/hook`, {}, "{}", {
        timeoutMs: 2_000,
        allowPrivate: false,
      });
      expect(result, host).toMatchObject({ kind: "error", blocked: true, error: expect.stringMatching(/loopback/) });
    }
    expect(received).toBe(0);
    // The same endpoint with the allowance reaches the receiver: the refusal above is the check, not the network.
    const allowed = await postWebhook(`http://127.0.0.1:${port}/hook`, {}, "{}", {
      timeoutMs: 2_000,
      allowPrivate: true,
    });
    expect(allowed).toMatchObject({ kind: "response", status: 200 });
    expect(received).toBe(1);
  });
});
