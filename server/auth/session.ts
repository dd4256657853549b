import { getServerSession } from "next-auth";
import { getDb } from "~/server/db";
import { loadSessionUser, type TSessionUser } from "./authenticate";
import { getAuthOptions } from "./next-auth";

/**
 * The signed-in user of the current request (route handler or server component), read from
 * the database: null when signed out, deleted, disabled, or signed in before a password reset.
 */
export async function getCurrentUser(): Promise<TSessionUser | null> {
  const session = await getServerSession(getAuthOptions());
  return session?.user.id ? loadSessionUser(getDb(), session.user.id, session.user.sessionVersion) : null;
}
