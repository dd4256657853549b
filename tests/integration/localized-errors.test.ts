import { beforeAll, describe, expect, it } from "vitest";
import type { TSessionUser } from "~/server/auth/roles";
import type { TLocale } from "~/server/i18n/locales";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { trpcHttpClient } from "../support/trpc-http";
import { testContext } from "../support/trpc-context";

/**
 * A refusal domain code raises (an AppError: its message, its field errors, a message with
 * values) reaches the dashboard in the caller's language, over tRPC's HTTP adapter and its error
 * formatter; English stays as the domain code wrote it.
 */
describe("tRPC: domain refusals in the caller's language", () => {
  let database: TTestDatabase;
  let admin: TSessionUser;

  beforeAll(async () => {
    database = await useTestDatabase();
    admin = await insertUser(database.db, "admin", { email: "localized-boss@example.test" });
  });

  const client = (locale: TLocale) => trpcHttpClient(() => testContext({ db: database.db, user: admin, locale }));

  it.each([
    ["en", "You cannot disable your own account."],
    ["es", "No puedes desactivar tu propia cuenta."],
    ["pt-BR", "Você não pode desativar a sua própria conta."],
  ] as const)("[%s] refuses disabling one's own account in that language", async (locale, message) => {
    const answer = await client(locale)("mutation", "users.setDisabled", { id: admin.id, disabled: true });
    expect(answer).toMatchObject({ status: 400, code: "BAD_REQUEST", message });
  });

  it.each([
    ["en", "A user with this email already exists."],
    ["es", "Ya existe un usuario con este correo electrónico."],
  ] as const)("[%s] names a duplicate email in the message and the field", async (locale, message) => {
    const answer = await client(locale)("mutation", "users.create", {
      email: "localized-boss@example.test",
      name: "Twin",
      role: "agent",
    });
    expect(answer).toMatchObject({ status: 409, code: "CONFLICT", message, fieldErrors: { email: message } });
  });

  it.each([
    ["en", "There is no version 999."],
    ["es", "No existe la versión 999."],
  ] as const)("[%s] renders a message with values", async (locale, message) => {
    const answer = await client(locale)("query", "rules.version", { version: 999 });
    expect(answer).toMatchObject({ status: 404, code: "NOT_FOUND", message });
  });
});
