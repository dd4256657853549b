import { expect, test } from "@playwright/test";
import { expectAccessible, login, startChat } from "./helpers";

const CONTACT = { phone: "+14155550150", name: "Lena Location" };

test("[agent] the Inbox shows a location with its map link and a photo's stand-in with its caption, sent from the Simulator", async ({
  page,
}) => {
  await login(page);
  await startChat(page, CONTACT.phone, CONTACT.name);
  const kind = page.getByLabel("Kind of message");
  const composer = page.getByLabel("Message", { exact: true });
  const chat = page.getByTestId("chat");

  // The contact shares a place, then a photo with a caption (stand-ins: no file is attached).
  await kind.selectOption({ label: "Location" });
  await composer.fill("Our shop");
  await composer.press("Enter");
  await expect(chat.getByTestId("from-contact").getByTestId("location")).toContainText("Location: Our shop");
  await kind.selectOption({ label: "Photo" });
  await composer.fill("Is this in stock?");
  await composer.press("Enter");
  await expect(chat.getByTestId("from-contact").getByTestId("media-stand-in")).toContainText(
    "Photo — Is this in stock?",
  );

  // In the Inbox, the conversation shows both as what they are.
  await page.goto("/inbox");
  await page.getByRole("button", { name: /^All/ }).click();
  await page
    .getByRole("list", { name: "Conversations: All" })
    .getByRole("link")
    .filter({ hasText: CONTACT.name })
    .click();
  const location = page.locator('[data-testid="message-in"][data-kind="location"]');
  await expect(location).toContainText("📍");
  await expect(location).toContainText("Location: Our shop (-23.55, -46.63)");
  await expect(location.getByRole("link", { name: "-23.55, -46.63" })).toHaveAttribute(
    "href",
    "https://www.openstreetmap.org/?mlat=-23.55&mlon=-46.63#map=16/-23.55/-46.63",
  );
  const photo = page.locator('[data-testid="message-in"][data-kind="image"]');
  await expect(photo).toContainText("📷");
  await expect(photo).toContainText("Photo — Is this in stock?");
  await expect(photo).toContainText("image/jpeg · 800×600");
  await page.waitForLoadState("networkidle");
  await expectAccessible(page);
});
