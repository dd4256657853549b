import type { TPresenceState } from "~/server/sessions/presence";

/**
 * How long a contact's presence stays on screen after its last notice. WhatsApp repeats
 * "composing" while someone types but sends no "stopped" when they close the app or lose signal,
 * so typing and recording fade after 25 s without a new notice; "online" is refreshed far less
 * often and fades after 5 min. Offline and paused are never shown (nothing beside the name).
 */
export const PRESENCE_SHOWN_FOR_MS: Record<TPresenceState, number> = {
  typing: 25_000,
  recording: 25_000,
  online: 5 * 60_000,
  paused: 0,
  offline: 0,
};

/** The Inbox repeats its watch request this often while the conversation stays open and visible. */
export const PRESENCE_WATCH_EVERY_MS = 20_000;

/** The presence states the Inbox shows beside a contact's name. */
export type TShownPresence = "typing" | "recording" | "online";

/** The latest presence notice of the open conversation, and when this tab received it. */
export type TReceivedPresence = { threadId: string; state: TPresenceState; receivedAt: number };

/** When a received presence stops being shown (at or before `receivedAt` for one never shown). */
export function presenceExpiresAt(received: TReceivedPresence): number {
  return received.receivedAt + PRESENCE_SHOWN_FOR_MS[received.state];
}

/** What to show beside the name of the conversation `threadId` at `now`: the latest notice, while it lasts. */
export function shownPresence(
  received: TReceivedPresence | null,
  threadId: string,
  now: number,
): TShownPresence | null {
  if (!received || received.threadId !== threadId) return null;
  if (now >= presenceExpiresAt(received)) return null;
  return received.state === "typing" || received.state === "recording" || received.state === "online"
    ? received.state
    : null;
}
