import { canAccess, type TRole } from "~/server/auth/roles";

/** Whether a live event may reach a user of `role` (the role table, applied to event types). */
export function canSeeEvent(role: TRole, type: string): boolean {
  // Presence belongs to an open conversation, so to the inbox (not to the contacts area).
  if (type === "contact.presence") return canAccess(role, "inbox", "read");
  // The bell's news (the stream sends it to its one user only).
  if (type === "notification.created") return canAccess(role, "inbox", "read");
  // Availability is shown beside agents' names in the inbox and on the Teams page.
  if (type === "user.availability") return canAccess(role, "inbox", "read");
  if (type.startsWith("session.")) return canAccess(role, "users", "read");
  if (type.startsWith("message.") || type.startsWith("thread.") || type.startsWith("ai.")) {
    return canAccess(role, "inbox", "read");
  }
  if (type.startsWith("contact.")) return canAccess(role, "contacts", "read");
  if (type.startsWith("rule.")) return canAccess(role, "config", "read");
  return canAccess(role, "users", "read");
}
