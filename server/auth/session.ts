import { getServerSession } from "next-auth";
import { cache } from "react";
import type { TSessionUser } from "./roles";
import { getAuthOptions } from "./next-auth";
import type { TCurrentSession } from "./user-sessions";

/**
 * The session of the current request (route handler or server component), checked against the
 * database by next-auth's `jwt` callback: null when signed out, revoked, expired, or the user is
 * gone or disabled. Throws when the database could not be asked (neither signed in nor out).
 * Asked once per request (the layout and the language both need it).
 */
export const getCurrentSession = cache(async (): Promise<TCurrentSession | null> => {
  const session = await getServerSession(getAuthOptions());
  const current = session?.user;
  if (!current?.id || !current.sessionId) return null;
  if (current.unavailable) throw new Error("could not check the session: the database did not answer");
  const { id, email, name, role, sessionId, needsTwoFactorEnrolment, locale } = current;
  return { user: { id, email, name, role }, sessionId, needsTwoFactorEnrolment, locale };
});

/**
 * The signed-in user of the current request, or null: also null for an admin who still has to
 * set up two-factor sign-in (Settings require it), who may do nothing else until they have.
 */
export async function getCurrentUser(): Promise<TSessionUser | null> {
  const current = await getCurrentSession();
  return current && !current.needsTwoFactorEnrolment ? current.user : null;
}
