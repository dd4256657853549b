import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { AppError } from "~/server/errors";
import { authenticate, type TAuthenticatedUser } from "./authenticate";
import { clientAddress } from "./client-address";
import type { TRole } from "./roles";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; role: TRole; sessionVersion: number };
  }
  interface User {
    role: TRole;
    sessionVersion: number;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    role?: TRole;
    sv?: number;
  }
}

let options: NextAuthOptions | undefined;

/** next-auth configuration: email + password, JWT sessions of 12 hours. Built on first use. */
export function getAuthOptions(): NextAuthOptions {
  options ??= {
    secret: webEnv().APP_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 3600 },
    pages: { signIn: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req): Promise<TAuthenticatedUser | null> {
          if (!credentials?.email || !credentials.password) return null;
          try {
            return await authenticate(getDb(), {
              email: credentials.email,
              password: credentials.password,
              ip: clientAddress(req.headers?.["x-forwarded-for"], webEnv().TRUSTED_PROXY_HOPS),
            });
          } catch (error) {
            // next-auth hands this message to the login form as `error`.
            if (error instanceof AppError) throw new Error(error.message);
            throw error;
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.role = user.role;
          token.sv = user.sessionVersion;
        }
        return token;
      },
      session({ session, token }) {
        // Identity only: getCurrentUser() re-reads role and disabled from the database.
        if (token.uid && token.role) {
          const { uid, role, sv = 0 } = token;
          session.user = { id: uid, role, sessionVersion: sv, email: token.email ?? "", name: token.name ?? "" };
        }
        return session;
      },
    },
  };
  return options;
}
