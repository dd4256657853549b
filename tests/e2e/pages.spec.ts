import { expect, type Page, test } from "@playwright/test";
import { expectAccessible, login, screenshot } from "./helpers";

/**
 * Every main page opens for an admin, with no serious or critical axe violations and no
 * Content-Security-Policy violation (nor Permissions-Policy complaint) in the console, and is
 * photographed for the README's tour. This file runs after the journeys (playwright.config.ts),
 * so the pages show their data; `photographedBy` marks pages a journey photographs in a more
 * telling state (an open conversation, a delivery log), and `open` brings a page to the state
 * worth showing.
 */
const PAGES: {
  path: string;
  name: string;
  heading: string | RegExp;
  photographedBy?: string;
  open?: (page: Page) => Promise<void>;
}[] = [
  { path: "/", name: "overview", heading: /^Welcome/ },
  { path: "/inbox?filter=all", name: "inbox", heading: "Inbox", photographedBy: "agent.spec.ts" },
  { path: "/teams", name: "teams", heading: "Teams" },
  { path: "/contacts", name: "contacts", heading: "Contacts" },
  {
    path: "/contacts",
    name: "contact",
    heading: "Contact",
    open: async (page) => {
      await page.getByRole("link", { name: "Hana Help" }).click();
      await expect(page.getByLabel("Tags (comma-separated)")).toBeVisible();
    },
  },
  { path: "/profiles", name: "profiles", heading: "Profiles" },
  { path: "/rules", name: "rules", heading: "Rules" },
  { path: "/campaigns", name: "campaigns", heading: "Campaigns", photographedBy: "campaigns.spec.ts" },
  { path: "/webhooks", name: "webhooks", heading: "Webhooks", photographedBy: "integrations.spec.ts" },
  { path: "/api-keys", name: "api", heading: "API" },
  {
    path: "/simulator",
    name: "simulator",
    heading: "Simulator",
    open: async (page) => {
      await page
        .getByRole("list", { name: "Conversations" })
        .getByRole("button", { name: /Hana Help/ })
        .click();
      await expect(page.getByTestId("from-bot").first()).toBeVisible();
    },
  },
  { path: "/sessions", name: "sessions", heading: "Sessions" },
  { path: "/analytics", name: "analytics", heading: "Analytics", photographedBy: "manager.spec.ts" },
  { path: "/users", name: "users", heading: "Users" },
  { path: "/audit", name: "audit", heading: "Audit log" },
  { path: "/settings", name: "settings", heading: "Settings" },
];

/** What the browser said about the CSP or Permissions-Policy since the test began (sign-in included). */
let policyComplaints: string[] = [];

test.describe("main pages", () => {
  test.beforeEach(async ({ page }) => {
    policyComplaints = [];
    page.on("console", (message) => {
      if (/content.security.policy|permissions.policy/i.test(message.text())) {
        policyComplaints.push(`${page.url()}: ${message.text()}`);
      }
    });
    // Chromium prints blocked loads itself; this also reports inline styles and eval it refused.
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        console.error(`Content-Security-Policy violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });
    await login(page);
  });
  test.afterEach(() => {
    expect(policyComplaints).toEqual([]);
  });

  for (const entry of PAGES) {
    test(`${entry.name} opens, accessible`, async ({ page }) => {
      await page.goto(entry.path);
      if (entry.open) await entry.open(page);
      await expect(page.getByRole("heading", { level: 1, name: entry.heading })).toBeVisible();
      await page.waitForLoadState("networkidle");
      await expectAccessible(page);
      if (!entry.photographedBy) await screenshot(page, entry.name);
    });
  }

  test("Sessions shows the simulator session as connected", async ({ page }) => {
    await page.goto("/sessions");
    await expect(page.getByText("Connected").first()).toBeVisible();
    await expect(page.getByText("Simulator", { exact: true }).first()).toBeVisible();
  });
});
