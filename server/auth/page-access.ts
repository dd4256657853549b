import { redirect } from "next/navigation";
import { canAccess, type TResource, type TSessionUser } from "./roles";
import { getCurrentSession } from "./session";

/** Where an admin who must set up two-factor sign-in is sent, whatever they asked for. */
export const TWO_FACTOR_SETUP_PATH = "/two-factor-setup";

/**
 * For server components: the signed-in user, or a redirect to the login page (or to the
 * two-factor set-up, while Settings require it and the user has none). `allowed` says whether the
 * role may read `resource`, so the page can say plainly when it may not.
 */
export async function requirePageUser(
  resource?: TResource,
): Promise<{ user: TSessionUser; sessionId: string; allowed: boolean }> {
  const current = await getCurrentSession();
  if (!current) redirect("/login");
  if (current.needsTwoFactorEnrolment) redirect(TWO_FACTOR_SETUP_PATH);
  const { user, sessionId } = current;
  return { user, sessionId, allowed: resource ? canAccess(user.role, resource, "read") : true };
}
