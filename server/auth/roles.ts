import { USER_ROLES } from "~/db/schema/users";

export type TRole = (typeof USER_ROLES)[number];

/** A signed-in user as the web sees them: who they are, and the role that decides what they may do. */
export type TSessionUser = { id: string; email: string; name: string; role: TRole };
export { USER_ROLES };

/** The areas of the role table in the design, one row each. */
export const RESOURCES = ["users", "config", "contacts", "inbox", "insights"] as const;
export type TResource = (typeof RESOURCES)[number];
export type TAccessLevel = "read" | "write";

/**
 * What each role may do per area: `rw` read and write, `r` read, `own` read only what the user
 * did themselves, `null` nothing. This is the design's role table, and the only copy in code:
 *
 * | area                                   | admin | builder | agent | manager |
 * |----------------------------------------|-------|---------|-------|---------|
 * | users: users, sessions, settings        | rw    | –       | –     | r       |
 * | config: rules, profiles, webhooks       | rw    | rw      | r     | r       |
 * | contacts                               | rw    | rw      | rw    | r       |
 * | inbox: take over, reply                | rw    | rw      | rw    | r       |
 * | insights: analytics, audit log          | r     | r       | own   | r       |
 */
export const ROLE_ACCESS: Record<TResource, Record<TRole, "rw" | "r" | "own" | null>> = {
  users: { admin: "rw", builder: null, agent: null, manager: "r" },
  config: { admin: "rw", builder: "rw", agent: "r", manager: "r" },
  contacts: { admin: "rw", builder: "rw", agent: "rw", manager: "r" },
  inbox: { admin: "rw", builder: "rw", agent: "rw", manager: "r" },
  insights: { admin: "r", builder: "r", agent: "own", manager: "r" },
};

/** Whether `role` may `level` the `resource` (at least its own share of it, for `own`). */
export function canAccess(role: TRole, resource: TResource, level: TAccessLevel): boolean {
  const grant = ROLE_ACCESS[resource][role];
  if (grant === null) return false;
  if (level === "read") return true;
  return grant === "rw";
}

/** Whether `role` sees only its own rows of `resource` (an agent's analytics and audit log). */
export function isScopedToOwn(role: TRole, resource: TResource): boolean {
  return ROLE_ACCESS[resource][role] === "own";
}

/** The pages of the dashboard, who may open them, and where they sit in the navigation. */
export const PAGES = [
  { href: "/", key: "overview", resource: "insights" },
  { href: "/inbox", key: "inbox", resource: "inbox" },
  { href: "/teams", key: "teams", resource: "inbox" },
  { href: "/contacts", key: "contacts", resource: "contacts" },
  { href: "/profiles", key: "profiles", resource: "config" },
  { href: "/knowledge", key: "knowledge", resource: "config" },
  { href: "/tools", key: "tools", resource: "config" },
  { href: "/rules", key: "rules", resource: "config" },
  { href: "/flows", key: "flows", resource: "config" },
  { href: "/campaigns", key: "campaigns", resource: "config" },
  { href: "/webhooks", key: "webhooks", resource: "config" },
  { href: "/api-keys", key: "api", resource: "users" },
  { href: "/simulator", key: "simulator", resource: "inbox" },
  { href: "/outbox", key: "outbox", resource: "inbox" },
  { href: "/sessions", key: "sessions", resource: "users" },
  { href: "/analytics", key: "analytics", resource: "insights" },
  { href: "/users", key: "users", resource: "users" },
  { href: "/audit", key: "audit", resource: "insights" },
  { href: "/settings", key: "settings", resource: "users" },
  { href: "/system", key: "system", resource: "users" },
] as const satisfies readonly { href: string; key: string; resource: TResource }[];
