import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

describe("clientAddress", () => {
  it("trusts nothing without a proxy", () => {
    expect(clientAddress("203.0.113.9", 0)).toBeNull();
  });

  it("takes the address the trusted proxy saw, ignoring what the client claimed", () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the one proxy appended the real address.
    expect(clientAddress("1.2.3.4, 203.0.113.9", 1)).toBe("203.0.113.9");
    // Two proxies: the outer one appended the client, the inner one the outer proxy.
    expect(clientAddress("1.2.3.4, 203.0.113.9, 10.0.0.2", 2)).toBe("203.0.113.9");
  });

  it("handles a missing or short header", () => {
    expect(clientAddress(undefined, 1)).toBeNull();
    expect(clientAddress("203.0.113.9", 3)).toBeNull();
    expect(clientAddress(["1.2.3.4", "203.0.113.9"], 1)).toBe("203.0.113.9");
  });
});
