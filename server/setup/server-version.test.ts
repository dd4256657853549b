import { describe, expect, it } from "vitest";
import { checkServerVersion } from "./server-version";

const server = (num: number, version: string) => ({
  query: () => Promise.resolve({ rows: [{ num, version }] }),
});

describe("the PostgreSQL version check", () => {
  it("accepts 14 and newer, and names an older server's version in one line", async () => {
    expect(await checkServerVersion(server(140000, "14.0"))).toBeNull();
    expect(await checkServerVersion(server(180004, "18.4"))).toBeNull();
    expect(await checkServerVersion(server(130016, "13.16 (Debian)"))).toBe(
      "Switchboard needs PostgreSQL 14 or newer; this server is 13.16 (Debian)",
    );
  });
});
