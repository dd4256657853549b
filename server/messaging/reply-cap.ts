/**
 * The reply cap, against loops (another bot answering ours) and floods: at most `limit`
 * automatic replies per conversation within `windowMinutes`. Past it the bot pauses in that
 * conversation: it goes quiet for a whole window, or hands the conversation to people.
 *
 * Pure and client-safe (the inbox shows when a pause ends). The pipeline reads and writes a
 * thread's state with the thread row locked, so two workers can never both slip under the cap.
 */
export type TReplyCap = { limit: number; windowMinutes: number; action: "quiet" | "handoff" };

/** What the cap keeps per thread (`threads.auto_replies_at`, `bot_paused_at`, `handoff_at`). */
export type TReplyCapState = {
  /** When the automatic replies of the current window were decided, oldest first. */
  autoRepliesAt: readonly Date[];
  /** When the cap last paused the bot here. */
  botPausedAt: Date | null;
  /** When people last took the thread (a person's involvement starts a fresh count). */
  handoffAt: Date | null;
};

export type TReplyCapVerdict =
  | { admitted: true; state: TReplyCapState }
  | {
      admitted: false;
      /** This decision paused the bot (false: it was paused already). */
      pausedNow: boolean;
      state: TReplyCapState;
    };

const windowMs = (cap: TReplyCap) => cap.windowMinutes * 60_000;

/**
 * When a pause ends, or null when the bot is not paused at `now`: a quiet pause lasts one
 * window, and ends early when people took the thread since it began.
 */
export function botPausedUntil(state: Omit<TReplyCapState, "autoRepliesAt">, cap: TReplyCap, now: Date): Date | null {
  if (!state.botPausedAt) return null;
  if (state.handoffAt && state.handoffAt >= state.botPausedAt) return null;
  const until = new Date(state.botPausedAt.getTime() + windowMs(cap));
  return until > now ? until : null;
}

/**
 * Whether `count` more automatic replies may go out in a thread at `now`, and the thread's
 * state afterwards. Replies are counted since the window's start or since people last took
 * the thread, whichever is later. A message's replies are admitted together or not at all.
 */
export function admitReplies(state: TReplyCapState, cap: TReplyCap, now: Date, count: number): TReplyCapVerdict {
  if (count === 0) return { admitted: true, state };
  const since = Math.max(now.getTime() - windowMs(cap), state.handoffAt?.getTime() ?? -Infinity);
  const counted = state.autoRepliesAt.filter((at) => at.getTime() > since);
  if (botPausedUntil(state, cap, now)) {
    return { admitted: false, pausedNow: false, state: { ...state, autoRepliesAt: counted } };
  }
  if (counted.length + count > cap.limit) {
    return { admitted: false, pausedNow: true, state: { ...state, autoRepliesAt: counted, botPausedAt: now } };
  }
  const autoRepliesAt = [...counted, ...Array.from({ length: count }, () => now)].slice(-cap.limit);
  return { admitted: true, state: { ...state, autoRepliesAt } };
}
