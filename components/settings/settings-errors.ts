import { type TWeekday, WEEKDAYS } from "~/server/settings/schema";

/** The server's limit of openings per day (server/settings/schema.ts). */
export const MAX_OPENINGS_PER_DAY = 6;

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** What is wrong with a day's opening hours, before sending them: the opening (1-based) and why. */
export type THoursProblem =
  | { day: TWeekday; opening: number; kind: "malformed" | "badTime" | "endBeforeStart" }
  | { day: TWeekday; opening: null; kind: "tooMany" };

/**
 * Checks one day's text ("09:00-12:00, 13:00-17:00") as the server will, so the form can say
 * what is wrong in its own words ("Monday, first opening: the end must be after the start")
 * without a round trip. Empty text (closed) is fine.
 */
export function checkHours(day: TWeekday, text: string): THoursProblem | null {
  const parts = text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length > MAX_OPENINGS_PER_DAY) return { day, opening: null, kind: "tooMany" };
  for (const [index, part] of parts.entries()) {
    const pieces = part.split("-").map((piece) => piece.trim());
    const opening = index + 1;
    if (pieces.length !== 2 || !pieces[0] || !pieces[1]) return { day, opening, kind: "malformed" };
    const [start, end] = pieces as [string, string];
    if (!CLOCK.test(start) || !CLOCK.test(end)) return { day, opening, kind: "badTime" };
    if (start >= end) return { day, opening, kind: "endBeforeStart" };
  }
  return null;
}

/**
 * Where a server error about business hours belongs: `businessHours.mon.0.end` → Monday's
 * field, first opening. Null for any other path.
 */
export function readHoursPath(path: string): { day: TWeekday; opening: number | null } | null {
  const [root, day, index] = path.split(".");
  if (root !== "businessHours" || !WEEKDAYS.includes(day as TWeekday)) return null;
  const position = index === undefined ? null : Number(index);
  return {
    day: day as TWeekday,
    opening: position === null || !Number.isInteger(position) ? null : position + 1,
  };
}

/** The form's field for each settings path the server names (`defaultReply.text` → the reply text). */
export const SETTINGS_FIELD_OF_PATH: Record<string, string> = {
  orgName: "orgName",
  defaultCountry: "defaultCountry",
  timeZone: "timeZone",
  defaultReply: "defaultReplyText",
  "defaultReply.text": "defaultReplyText",
  "defaultReply.mode": "defaultReplyMode",
  aiModel: "aiModel",
  handbackMinutes: "handbackMinutes",
  answerOptedOut: "answerOptedOut",
  replyCapLimit: "replyCapLimit",
  replyCapMinutes: "replyCapMinutes",
  replyCapAction: "replyCapAction",
  requireTwoFactorForAdmins: "requireTwoFactorForAdmins",
  "flowEscape.stopWords": "flowStopWords",
  "flowEscape.menuWords": "flowMenuWords",
  "flowEscape.menuFlowId": "flowMenuFlowId",
  "flowEscape.stopReply": "flowStopReply",
  replyQuietMs: "replyQuietMs",
  quietBeforeRules: "quietBeforeRules",
  aiDailyCapUsd: "aiDailyCapUsd",
  optOut: "optOutKeywords",
  "optOut.keywords": "optOutKeywords",
  "optOut.confirmation": "optOutConfirmation",
};

/** The form's field for a server error's path (a word's index dropped: `flowEscape.stopWords.2` → the words' field). */
export function settingsFieldOf(path: string): string | undefined {
  return SETTINGS_FIELD_OF_PATH[path] ?? SETTINGS_FIELD_OF_PATH[path.replace(/\.\d+$/, "")];
}

/** Words typed as a comma-separated list ("stop, cancel"), each trimmed, empty ones dropped. */
export function parseWords(text: string): string[] {
  return text
    .split(",")
    .map((word) => word.trim())
    .filter(Boolean);
}
