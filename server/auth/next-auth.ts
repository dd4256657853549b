import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { AppError } from "~/server/errors";
import { createLogger } from "~/server/logger";
import { authenticate, type TAuthenticatedUser } from "./authenticate";
import { clientAddress } from "./client-address";
import type { TLocale } from "~/server/i18n/locales";
import type { TRole } from "./roles";
import { loadUserSession, revokeUserSession, SESSION_MAX_AGE_S, startUserSession } from "./user-sessions";

declare module "next-auth" {
  interface Session {
    user: {
      id: string;
      email: string;
      name: string;
      role: TRole;
      sessionId: string;
      needsTwoFactorEnrolment: boolean;
      /** The interface language the user chose (null: the browser's). */
      locale: TLocale | null;
      /** The session could not be checked (the database did not answer): neither signed in nor out. */
      unavailable?: boolean;
    };
  }
  interface User {
    role: TRole;
    sessionId: string;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    /** The server-side session (`user_sessions.id`) this token belongs to. */
    sid?: string;
    role?: TRole;
    enrol?: boolean;
    locale?: TLocale | null;
    unavailable?: boolean;
  }
}

/** Thrown by the `jwt` callback for a revoked or expired session: next-auth then treats the token as none. */
class SessionEndedError extends Error {
  constructor() {
    super("the session has ended");
    this.name = "SessionEndedError";
  }
}

function headerText(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

let options: NextAuthOptions | undefined;

/**
 * next-auth configuration: email + password (+ a TOTP or recovery code for accounts with
 * two-factor sign-in), JWT session tokens of 12 hours that carry a server-side session id. Every
 * read of the token checks that session in the database (`loadUserSession`) and refreshes role,
 * name and the two-factor requirement from it; sign-out revokes it. Built on first use.
 */
export function getAuthOptions(): NextAuthOptions {
  if (options) return options;
  const log = createLogger("auth", webEnv().LOG_LEVEL);
  options = {
    secret: webEnv().APP_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    // next-auth's own error page has an inline style our CSP refuses (and answers some errors
    // with a 500): its errors go to the sign-in page, which says what happened.
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
          code: { label: "Code", type: "text" },
        },
        async authorize(credentials, req): Promise<(TAuthenticatedUser & { sessionId: string }) | null> {
          if (!credentials?.email || !credentials.password) return null;
          const env = webEnv();
          const ip = clientAddress(req.headers?.["x-forwarded-for"], env.TRUSTED_PROXY_HOPS);
          try {
            const user = await authenticate(getDb(), {
              email: credentials.email,
              password: credentials.password,
              code: credentials.code || undefined,
              ip,
              appSecret: env.APP_SECRET,
            });
            const userAgent = headerText(req.headers?.["user-agent"] as string | string[] | undefined);
            const sessionId = await startUserSession(getDb(), { userId: user.id, ip, userAgent });
            return { ...user, sessionId };
          } catch (error) {
            // next-auth hands this message to the login form as `error`.
            if (error instanceof AppError) throw new Error(error.message);
            throw error;
          }
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.sid = user.sessionId;
        }
        let current;
        try {
          current = await loadUserSession(getDb(), { sessionId: token.sid, userId: token.uid });
        } catch (error) {
          log.error({ err: error }, "could not check a session");
          return { ...token, unavailable: true };
        }
        if (!current) throw new SessionEndedError();
        return {
          ...token,
          unavailable: false,
          role: current.user.role,
          name: current.user.name,
          email: current.user.email,
          enrol: current.needsTwoFactorEnrolment,
          locale: current.locale,
        };
      },
      session({ session, token }) {
        if (token.uid && token.sid && token.role) {
          session.user = {
            id: token.uid,
            sessionId: token.sid,
            role: token.role,
            email: token.email ?? "",
            name: token.name ?? "",
            needsTwoFactorEnrolment: token.enrol ?? false,
            locale: token.locale ?? null,
            ...(token.unavailable ? { unavailable: true } : {}),
          };
        }
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        // next-auth logs and swallows an error here and still clears the cookie.
        if (token?.sid) await revokeUserSession(getDb(), token.sid, "signed_out");
      },
    },
    logger: {
      error(code, metadata) {
        // A revoked or expired session presented again is expected, not an error.
        if (metadata instanceof SessionEndedError) return;
        log.error({ code, err: metadata }, "next-auth error");
      },
      warn(code) {
        log.warn({ code }, "next-auth warning");
      },
      debug() {},
    },
  };
  return options;
}
