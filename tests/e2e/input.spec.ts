import { expect, test } from "@playwright/test";
import { login } from "./helpers";
import { BASE_URL } from "./stack";

test("[admin] the Simulator reads numbers like every other entry point: tel: accepted, an invalid one refused with the reason", async ({
  page,
}) => {
  await login(page);
  await page.goto("/simulator");
  await expect(page.locator("#sim-phone")).toHaveAttribute("placeholder", "+14155550123");
  await page.fill("#sim-phone", "+1 555 123 4567");
  await page.getByRole("button", { name: "Start chatting" }).click();
  await expect(page.getByText("“+1 555 123 4567” is not a valid number for +1")).toBeVisible();
  // A tel: URI, which the API always read and the Simulator used to refuse, is the same number.
  await page.fill("#sim-phone", "tel:+1-415-555-0161");
  await page.getByRole("button", { name: "Start chatting" }).click();
  await expect(page.getByText("You are writing as +14155550161")).toBeVisible();
});

test("[api] a malformed percent-escape in a REST path is the API's JSON 400, not Next's plain-text 500", async ({
  request,
}) => {
  const response = await request.get(`${BASE_URL}/api/v1/messages/%ZZ`);
  expect(response.status()).toBe(400);
  expect(response.headers()["content-type"]).toContain("application/json");
  expect(await response.json()).toMatchObject({
    error: { code: "bad_request", message: expect.stringContaining("percent") },
  });
});
