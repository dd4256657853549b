import { redirect } from "next/navigation";
import type { TSessionUser } from "./authenticate";
import { canAccess, type TResource } from "./roles";
import { getCurrentUser } from "./session";

/**
 * For server components: the signed-in user, or a redirect to the login page. `allowed` says
 * whether the role may read `resource`, so the page can say plainly when it may not.
 */
export async function requirePageUser(resource?: TResource): Promise<{ user: TSessionUser; allowed: boolean }> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  return { user, allowed: resource ? canAccess(user.role, resource, "read") : true };
}
