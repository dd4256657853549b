/**
 * The statuses a campaign's recipients are filtered by (the progress's counts, and all). No
 * imports, so the dashboard's components can name them.
 */
export const RECIPIENT_FILTERS = [
  "all",
  "pending",
  "queued",
  "sent",
  "delivered",
  "read",
  "failed",
  "replied",
  "skipped",
  "optedOut",
] as const;
export type TRecipientFilter = (typeof RECIPIENT_FILTERS)[number];
