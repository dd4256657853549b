import { describe, expect, it } from "vitest";
import { clientAddress, forwardedForWithPeer, normalizeAddress } from "./client-address";

describe("forwardedForWithPeer (the web entry)", () => {
  it("without a trusted proxy, replaces what the client claimed with the socket's address", () => {
    expect(forwardedForWithPeer("6.6.6.6", "203.0.113.9", 0)).toBe("203.0.113.9");
    expect(forwardedForWithPeer(["6.6.6.6", "7.7.7.7"], "203.0.113.9", 0)).toBe("203.0.113.9");
    expect(forwardedForWithPeer(undefined, "::ffff:127.0.0.2", 0)).toBe("127.0.0.2");
  });

  it("behind trusted proxies, appends the socket's address (the nearest proxy) as one more hop", () => {
    expect(forwardedForWithPeer("1.2.3.4, 203.0.113.9", "10.0.0.2", 1)).toBe("1.2.3.4, 203.0.113.9, 10.0.0.2");
    expect(forwardedForWithPeer(undefined, "10.0.0.2", 1)).toBe("10.0.0.2");
  });

  it("drops the header when the socket has no address", () => {
    expect(forwardedForWithPeer("1.2.3.4", undefined, 0)).toBeUndefined();
  });
});

describe("clientAddress", () => {
  it("without a proxy, is the socket's address the entry wrote", () => {
    expect(clientAddress(forwardedForWithPeer("6.6.6.6", "203.0.113.9", 0), 0)).toBe("203.0.113.9");
  });

  it("takes the address the outermost trusted proxy saw, ignoring what the client claimed", () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the one proxy appended the real address; the
    // entry appended the proxy.
    expect(clientAddress(forwardedForWithPeer("1.2.3.4, 203.0.113.9", "10.0.0.2", 1), 1)).toBe("203.0.113.9");
    // Two proxies: the outer one appended the client, the inner one the outer proxy.
    expect(clientAddress("1.2.3.4, 203.0.113.9, 10.0.0.2, 10.0.0.3", 2)).toBe("203.0.113.9");
  });

  it("handles a missing, short or malformed header", () => {
    expect(clientAddress(undefined, 0)).toBeNull();
    expect(clientAddress("203.0.113.9", 1)).toBeNull();
    expect(clientAddress("not-an-address", 0)).toBeNull();
    expect(clientAddress(["1.2.3.4", "203.0.113.9"], 0)).toBe("203.0.113.9");
  });
});

describe("normalizeAddress", () => {
  it("writes each address one way", () => {
    expect(normalizeAddress("::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(normalizeAddress("2001:DB8:0:0::1")).toBe("2001:db8::1");
    expect(normalizeAddress(" 127.0.0.1 ")).toBe("127.0.0.1");
    expect(normalizeAddress("")).toBeNull();
    expect(normalizeAddress("1.2.3")).toBeNull();
  });
});
