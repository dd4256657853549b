import type { PgBoss } from "pg-boss";
import type { TTRPCContext } from "~/server/api/trpc";

/** APP_SECRET of a test context that names none. */
export const TEST_APP_SECRET = "t".repeat(32);

export type TTestContextInput = Pick<TTRPCContext, "db" | "user"> &
  Partial<Omit<TTRPCContext, "db" | "user" | "boss">> & {
    /** The test's pg-boss; without one, a procedure that sends a job fails saying so. */
    boss?: PgBoss;
  };

/**
 * A complete tRPC context for tests: the database and the user given, every other dependency a
 * test default unless given (no browser session, English, no client address, the offline AI, APP_SECRET
 * `TEST_APP_SECRET`, webhooks refusing private addresses, Meta's own Graph API). Tests build contexts only with it,
 * so a dependency added to `TTRPCContext` gets its default here, once.
 */
export function testContext({ boss, ...input }: TTestContextInput): TTRPCContext {
  const appSecret = input.appSecret ?? TEST_APP_SECRET;
  return {
    session: null,
    locale: "en",
    clientIp: null,
    appSecret,
    gemini: null,
    webhooks: { appSecret, allowPrivate: false, rotationOverlapHours: 24 },
    cloudApi: { publicOrigin: null },
    ...input,
    boss: boss
      ? () => Promise.resolve(boss)
      : () => Promise.reject(new Error("This test's tRPC context has no pg-boss: pass testContext({ boss })")),
  };
}
