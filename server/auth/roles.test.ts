import { describe, expect, it } from "vitest";
import { canAccess, isScopedToOwn, PAGES, USER_ROLES } from "./roles";

describe("role table", () => {
  it("[manager] reads everything and changes nothing", () => {
    for (const page of PAGES) expect(canAccess("manager", page.resource, "read")).toBe(true);
    for (const resource of ["users", "config", "contacts", "inbox", "insights"] as const) {
      expect(canAccess("manager", resource, "write")).toBe(false);
    }
  });

  it("[builder] cannot see users, sessions or settings", () => {
    expect(canAccess("builder", "users", "read")).toBe(false);
    expect(canAccess("builder", "config", "write")).toBe(true);
  });

  it("[agent] reads rules, works contacts and the inbox, sees only their own insights", () => {
    expect(canAccess("agent", "config", "read")).toBe(true);
    expect(canAccess("agent", "config", "write")).toBe(false);
    expect(canAccess("agent", "contacts", "write")).toBe(true);
    expect(canAccess("agent", "inbox", "write")).toBe(true);
    expect(isScopedToOwn("agent", "insights")).toBe(true);
    expect(isScopedToOwn("admin", "insights")).toBe(false);
  });

  it("gives every role a way in: at least the Overview page", () => {
    for (const role of USER_ROLES)
      expect(PAGES.some((page) => page.href === "/" && canAccess(role, page.resource, "read"))).toBe(true);
  });
});
