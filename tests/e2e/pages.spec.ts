import { expect, test } from "@playwright/test";
import { expectAccessible, login, screenshot } from "./helpers";

/** Every main page opens for an admin, with no serious or critical axe violations; each is photographed for the README. */
const PAGES: { path: string; name: string; heading: string | RegExp }[] = [
  { path: "/", name: "overview", heading: /^Welcome/ },
  { path: "/inbox", name: "inbox", heading: "Inbox" },
  { path: "/contacts", name: "contacts", heading: "Contacts" },
  { path: "/profiles", name: "profiles", heading: "Profiles" },
  { path: "/rules", name: "rules", heading: "Rules" },
  { path: "/webhooks", name: "webhooks", heading: "Webhooks" },
  { path: "/api-keys", name: "api", heading: "API" },
  { path: "/simulator", name: "simulator", heading: "Simulator" },
  { path: "/sessions", name: "sessions", heading: "Sessions" },
  { path: "/analytics", name: "analytics", heading: "Analytics" },
  { path: "/users", name: "users", heading: "Users" },
  { path: "/audit", name: "audit", heading: "Audit log" },
  { path: "/settings", name: "settings", heading: "Settings" },
];

test.describe("main pages", () => {
  test.beforeEach(async ({ page }) => login(page));

  for (const entry of PAGES) {
    test(`${entry.name} opens, accessible`, async ({ page }) => {
      await page.goto(entry.path);
      await expect(page.getByRole("heading", { level: 1, name: entry.heading })).toBeVisible();
      await page.waitForLoadState("networkidle");
      await expectAccessible(page);
      await screenshot(page, entry.name);
    });
  }

  test("Sessions shows the simulator session as connected", async ({ page }) => {
    await page.goto("/sessions");
    await expect(page.getByText("Connected").first()).toBeVisible();
    await expect(page.getByText("Simulator", { exact: true }).first()).toBeVisible();
  });
});
