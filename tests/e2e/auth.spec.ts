import { type Browser, expect, type Page, test } from "@playwright/test";
import { generate } from "otplib";
import { httpFrom, signInFrom } from "../support/http-from";
import { createUser, expectAccessible, login, trpcOutcome, trpcQuery, USER_PASSWORD } from "./helpers";
import { BASE_URL, E2E } from "./stack";

/** The TOTP code an authenticator app shows `stepsAhead` 30-second steps from now. */
function totp(secret: string, stepsAhead = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });
}

/** Enrols the signed-in user from Your account, reading the key off the page as a person would type it. */
async function enrolTwoFactor(page: Page): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.goto("/account");
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  return finishEnrolment(page);
}

/** The set-up steps once the QR code and key are on screen. */
async function finishEnrolment(page: Page): Promise<{ secret: string; recoveryCodes: string[] }> {
  await expect(page.getByRole("img", { name: /QR code to add Switchboard/ })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel("Code from the app").fill(await totp(secret));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  const list = page.getByTestId("recovery-codes");
  await expect(list.getByRole("listitem")).toHaveCount(10);
  const recoveryCodes = await list.getByRole("listitem").allTextContents();
  await page.getByRole("button", { name: "I have saved them" }).click();
  return { secret, recoveryCodes };
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).first().click();
  await page.waitForURL(/\/login/);
}

/** The password step; resolves once the form asks for the code. */
async function passwordStep(page: Page, email: string) {
  await page.goto("/login");
  await page.fill("#email", email);
  await page.fill("#password", USER_PASSWORD);
  await page.click("button[type=submit]");
  await expect(page.getByLabel("Code", { exact: true })).toBeVisible();
}

async function inNewContext<T>(browser: Browser, run: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await run(await context.newPage());
  } finally {
    await context.close();
  }
}

/** Signs in as an admin with two-factor (over HTTP) and turns Settings' admin requirement off. */
async function turnOffRequirement(email: string, secret: string) {
  const from = "127.0.0.6";
  const { jar, error } = await signInFrom(from, BASE_URL, {
    email,
    password: USER_PASSWORD,
    code: await totp(secret, 1),
  });
  expect(error).toBeNull();
  const response = await httpFrom(from, `${BASE_URL}/api/trpc/settings.update?batch=1`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: jar.header(), origin: BASE_URL },
    body: JSON.stringify({ 0: { json: { requireTwoFactorForAdmins: false } } }),
  });
  expect(response.status, response.body).toBe(200);
}

test.describe("sessions and sign-in", () => {
  test("a cookie saved before sign-out is refused afterwards by tRPC, the event stream, exports and pages", async () => {
    const from = "127.0.0.5";
    const { jar, error } = await signInFrom(from, BASE_URL, { email: E2E.adminEmail, password: E2E.adminPassword });
    expect(error).toBeNull();
    const saved = jar.header();
    const withCookie = (path: string, init: Parameters<typeof httpFrom>[2] = {}) =>
      httpFrom(from, `${BASE_URL}${path}`, { ...init, headers: { cookie: saved, ...init.headers } });
    const me = "/api/trpc/auth.me?batch=1&input=%7B%220%22%3A%7B%22json%22%3Anull%7D%7D";

    expect((await withCookie(me)).status).toBe(200);
    expect((await withCookie("/api/events", { headersOnly: true })).status).toBe(200);
    expect((await withCookie("/api/contacts/export")).status).toBe(200);
    expect((await withCookie("/inbox")).status).toBe(200);

    // An event stream opened before sign-out ends by itself soon after it.
    const openStream = withCookie("/api/events");

    const csrf = await withCookie("/api/auth/csrf");
    const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
    const signedOut = await withCookie("/api/auth/signout", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE_URL },
      body: new URLSearchParams({ csrfToken, json: "true" }).toString(),
    });
    expect(signedOut.status).toBe(200);

    // The same cookie, replayed.
    expect((await withCookie(me)).status).toBe(401);
    expect((await withCookie("/api/events", { headersOnly: true })).status).toBe(401);
    expect((await withCookie("/api/contacts/export")).status).toBe(401);
    expect((await withCookie("/api/analytics/export?kind=messages&from=2026-01-01&to=2026-01-02")).status).toBe(401);
    const page = await withCookie("/inbox");
    expect(page.status).toBe(307);
    expect(page.headers.location).toMatch(/\/login$/);
    expect(JSON.parse((await withCookie("/api/auth/session")).body)).toEqual({});
    const endedStream = await Promise.race([
      openStream,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000)),
    ]);
    expect(endedStream, "the event stream was still open 20 s after sign-out").toMatchObject({ status: 200 });
    expect(endedStream!.body).toContain(": connected");
  });

  test("five wrong passwords from one address do not stop the right password from another; one address trying 35 emails is throttled", async ({
    page,
  }) => {
    const email = "throttle-target@e2e.test";
    await login(page);
    await createUser(page, { email, name: "Throttle Target", role: "builder" });

    // An attacker at 127.0.0.2 guesses five times…
    for (let i = 0; i < 5; i += 1) {
      const attempt = await signInFrom("127.0.0.2", BASE_URL, { email, password: `wrong-guess-${i}` });
      expect(attempt.error).toBe("Wrong email or password.");
    }
    // …and is then refused even the right password, including when claiming another address.
    const locked = await signInFrom("127.0.0.2", BASE_URL, { email, password: USER_PASSWORD });
    expect(locked.error).toBe(
      "Too many failed sign-in attempts for this email from your network. Try again in 15 minutes.",
    );
    const forged = await signInFrom(
      "127.0.0.2",
      BASE_URL,
      { email, password: USER_PASSWORD },
      { "x-forwarded-for": "127.0.0.3" },
    );
    expect(forged.error).toMatch(/^Too many failed sign-in attempts/);

    // The real user at 127.0.0.3 signs in.
    const real = await signInFrom("127.0.0.3", BASE_URL, { email, password: USER_PASSWORD });
    expect(real.error).toBeNull();
    const session = await httpFrom("127.0.0.3", `${BASE_URL}/api/auth/session`, {
      headers: { cookie: real.jar.header() },
    });
    expect(JSON.parse(session.body)).toMatchObject({ user: { email } });

    // Password spraying from 127.0.0.4: 35 emails, one guess each.
    const errors: (string | null)[] = [];
    for (let i = 0; i < 35; i += 1) {
      errors.push(
        (await signInFrom("127.0.0.4", BASE_URL, { email: `spray-${i}@e2e.test`, password: "Summer2026!" })).error,
      );
    }
    expect(errors.slice(0, 30)).toEqual(Array(30).fill("Wrong email or password."));
    expect(errors.slice(30)).toEqual(
      Array(5).fill("Too many failed sign-in attempts from your network. Try again in 15 minutes."),
    );

    // The login page says so in words.
    await inNewContext(page.context().browser()!, async (other) => {
      await other.goto("/login");
      for (let i = 0; i < 5; i += 1) {
        await other.fill("#email", email);
        await other.fill("#password", `wrong-in-browser-${i}`);
        await other.click("button[type=submit]");
        await expect(other.getByText("Wrong email or password.")).toBeVisible();
      }
      await other.fill("#password", USER_PASSWORD);
      await other.click("button[type=submit]");
      await expect(
        other.getByText(
          /Too many failed sign-in attempts for this email from your network\. Try again in \d+ minutes?\./,
        ),
      ).toBeVisible();
    });
  });

  test("[builder] turns on two-factor sign-in, then signs in with a code and with a recovery code", async ({
    browser,
    page,
  }) => {
    const email = "two-factor@e2e.test";
    await login(page);
    await createUser(page, { email, name: "Tess Twofactor", role: "builder" });

    await inNewContext(browser, async (user) => {
      await login(user, email, USER_PASSWORD);
      const { secret, recoveryCodes } = await enrolTwoFactor(user);
      await expect(user.getByTestId("two-factor-status")).toContainText("10 of 10 recovery codes left");
      await expect(user.getByTestId("account-session")).toHaveCount(1);
      await expectAccessible(user);
      await signOut(user);

      // Password, then a code (the next step's: the first one was used to confirm the set-up).
      await passwordStep(user, email);
      await expectAccessible(user);
      await user.getByLabel("Code", { exact: true }).fill("000000" === (await totp(secret, 1)) ? "111111" : "000000");
      await user.click("button[type=submit]");
      await expect(user.getByText(/^Wrong code/)).toBeVisible();
      await user.getByLabel("Code", { exact: true }).fill(await totp(secret, 1));
      await user.click("button[type=submit]");
      await expect(user.getByTestId("current-user")).toHaveText("Tess Twofactor");
      await signOut(user);

      // A recovery code, once.
      await passwordStep(user, email);
      await user.getByLabel("Code", { exact: true }).fill(recoveryCodes[0]!);
      await user.click("button[type=submit]");
      await expect(user.getByTestId("current-user")).toHaveText("Tess Twofactor");
      await user.goto("/account");
      await expect(user.getByTestId("two-factor-status")).toContainText("9 of 10 recovery codes left");
      await signOut(user);
      await passwordStep(user, email);
      await user.getByLabel("Code", { exact: true }).fill(recoveryCodes[0]!);
      await user.click("button[type=submit]");
      await expect(user.getByText("Wrong code. A recovery code works only once.")).toBeVisible();
    });

    // The admin sees it in the Users page and in the audit log.
    await page.goto("/users");
    await expect(page.getByTestId(`user-row-${email}`)).toContainText("on");
    const audit = await trpcQuery<{ items: { userEmail: string | null }[] }>(page, "audit.list", {
      entity: "user",
      action: "use_recovery_code",
    });
    expect(audit.items.map((entry) => entry.userEmail)).toContain(email);
  });

  test("when Settings require two-factor for admins, an admin without it must set it up before anything else", async ({
    browser,
    page,
  }) => {
    const keeper = { email: "keeper-admin@e2e.test", name: "Kim Keeper", role: "admin" };
    const newcomer = { email: "new-admin@e2e.test", name: "Nico Newadmin", role: "admin" };
    await login(page);
    await createUser(page, keeper);
    await createUser(page, newcomer);

    const keeperContext = await browser.newContext();
    const keeperPage = await keeperContext.newPage();
    let keeperSecret: string | null = null;
    try {
      // An admin with two-factor turns the requirement on in Settings.
      await login(keeperPage, keeper.email, USER_PASSWORD);
      keeperSecret = (await enrolTwoFactor(keeperPage)).secret;
      await keeperPage.goto("/settings");
      await keeperPage.getByLabel("Require two-factor sign-in for admins").check();
      await keeperPage.getByRole("button", { name: "Save settings" }).click();
      await expect(keeperPage.getByText("Settings saved.")).toBeVisible();

      await inNewContext(browser, async (admin) => {
        await login(admin, newcomer.email, USER_PASSWORD);
        await admin.waitForURL(/\/two-factor-setup$/);
        await expect(admin.getByTestId("totp-secret")).toBeVisible();
        await expectAccessible(admin);
        await admin.goto("/users");
        await admin.waitForURL(/\/two-factor-setup$/);
        expect(
          (await trpcOutcome(admin, "users.create", { email: "x@e2e.test", name: "X", role: "agent" })).errorCode,
        ).toBe("FORBIDDEN");
        await finishEnrolment(admin);
        await admin.waitForURL((url) => url.pathname === "/");
        await admin.goto("/users");
        await expect(admin.getByTestId(`user-row-${newcomer.email}`)).toBeVisible();
      });
    } finally {
      // Whatever happened above (even a timeout that closed the pages), the journeys after this one
      // sign in as an admin without two-factor: the requirement goes off again, over plain HTTP.
      await keeperContext.close().catch(() => undefined);
      if (keeperSecret) await turnOffRequirement(keeper.email, keeperSecret);
    }
  });
});
