/**
 * Why a campaign's recipient gets no message (`campaign_recipients.reason`). No imports, so the
 * dashboard's components can name them.
 */
export const SKIP_REASONS = [
  "opted_out",
  "blocked",
  "cold",
  "number_not_chosen",
  "window_closed",
  "template_unavailable",
  "media_unavailable",
  "empty",
  "variables",
] as const;
export type TSkipReason = (typeof SKIP_REASONS)[number];
