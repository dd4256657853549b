import { eq } from "drizzle-orm";
import type { NextAuthOptions, Session, User } from "next-auth";
import type { JWT } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDb, type TDb } from "~/db/client";
import { userSessions } from "~/db/schema";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";

const APP_SECRET = "next-auth-test-secret-0123456789abcdef";
const globalForDb = globalThis as unknown as { switchboardDb?: TDb };

/**
 * The next-auth glue (server/auth/next-auth.ts) with the web's own database handle pointed at a
 * test database: sign-in records a session with the client's address, every token read checks
 * it, sign-out ends it, and a database that does not answer is not taken for "signed out".
 */
describe("next-auth sessions", () => {
  let database: TTestDatabase;
  let options: NextAuthOptions;
  beforeAll(async () => {
    database = await useTestDatabase();
    vi.stubEnv("DATABASE_URL", database.url);
    vi.stubEnv("APP_SECRET", APP_SECRET);
    vi.stubEnv("LOG_LEVEL", "silent");
    vi.stubEnv("TRUSTED_PROXY_HOPS", "0");
    globalForDb.switchboardDb = database.db;
    options = (await import("~/server/auth/next-auth")).getAuthOptions();
  });
  afterAll(() => {
    delete globalForDb.switchboardDb;
    vi.unstubAllEnvs();
  });

  const authorize = (email: string, forwardedFor: string) => {
    const provider = options.providers[0] as unknown as {
      options: { authorize: (credentials: Record<string, string>, req: unknown) => Promise<User | null> };
    };
    return provider.options.authorize(
      { email, password: "password-123", code: "" },
      { headers: { "x-forwarded-for": forwardedFor, "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0" } },
    );
  };
  const readToken = (token: JWT, user?: User) => options.callbacks!.jwt!({ token, user: user as User, account: null });

  it("signs in into a recorded session, checks it on every read, and ends it on sign-out", async () => {
    const agent = await insertUser(database.db, "agent");
    const user = await authorize(agent.email, "198.51.100.23");
    expect(user).toMatchObject({ id: agent.id, sessionId: expect.any(String) });
    const [row] = await database.db.select().from(userSessions).where(eq(userSessions.userId, agent.id));
    expect(row).toMatchObject({
      id: user!.sessionId,
      ip: "198.51.100.23",
      userAgent: expect.stringContaining("Chrome"),
    });

    const token = await readToken({}, user!);
    expect(token).toMatchObject({ uid: agent.id, sid: user!.sessionId, role: "agent", email: agent.email });
    const session = (await options.callbacks!.session!({ session: { expires: "" }, token } as never)) as Session;
    expect(session.user).toMatchObject({ id: agent.id, sessionId: user!.sessionId, needsTwoFactorEnrolment: false });

    await options.events!.signOut!({ token, session: null as never });
    await expect(readToken(token)).rejects.toThrow("the session has ended");
    // A token from before sessions existed (no session id) is refused the same way.
    await expect(readToken({ uid: agent.id })).rejects.toThrow("the session has ended");
  });

  it("hands the login form the throttle's reason", async () => {
    const agent = await insertUser(database.db, "agent");
    const provider = options.providers[0] as unknown as {
      options: { authorize: (credentials: Record<string, string>, req: unknown) => Promise<User | null> };
    };
    for (let i = 0; i < 5; i += 1) {
      await expect(
        provider.options.authorize(
          { email: agent.email, password: "wrong-wrong", code: "" },
          { headers: { "x-forwarded-for": "198.51.100.24" } },
        ),
      ).rejects.toThrow("Wrong email or password.");
    }
    await expect(authorize(agent.email, "198.51.100.24")).rejects.toThrow(
      "Too many failed sign-in attempts for this email from your network. Try again in 15 minutes.",
    );
  });

  it("does not take a database that does not answer for a signed-out session", async () => {
    const agent = await insertUser(database.db, "agent");
    const user = await authorize(agent.email, "198.51.100.25");
    const token = await readToken({}, user!);
    const unreachable = createDb("postgres://nobody@127.0.0.1:1/none", { max: 1, connectionTimeoutMillis: 1_000 });
    globalForDb.switchboardDb = unreachable.db;
    try {
      const read = await readToken(token);
      expect(read).toMatchObject({ uid: agent.id, sid: user!.sessionId, unavailable: true });
      const session = (await options.callbacks!.session!({
        session: { expires: "" },
        token: read,
      } as never)) as Session;
      expect(session.user.unavailable).toBe(true);
    } finally {
      globalForDb.switchboardDb = database.db;
      await unreachable.pool.end();
    }
    // Back up: the same token works again.
    await expect(readToken(token)).resolves.toMatchObject({ unavailable: false });
  });
});
