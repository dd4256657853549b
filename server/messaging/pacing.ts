import type { TPacing } from "~/server/sessions/settings";

export type TClock = { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void> };

export const REAL_CLOCK: TClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      });
    }),
};

/**
 * Paces one session's sends: a token bucket (`messagesPerMinute`, `burst`), a random pause
 * before each send, and a minimum gap between two sends to the same chat. `acquire` waits
 * until a send may go and reserves it. Lives in the one worker that holds the session's lease.
 */
export class Pacer {
  private tokens: number;
  private refilledAt: number;
  private readonly lastSendByChat = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private settings: TPacing,
    private readonly clock: TClock = REAL_CLOCK,
    private readonly random: () => number = Math.random,
  ) {
    this.tokens = settings.burst;
    this.refilledAt = clock.now();
  }

  update(settings: TPacing) {
    this.settings = settings;
  }

  /** Tells the pacer when a chat last got a message (e.g. read back from the database on takeover). */
  noteSent(chat: string, at: number) {
    this.lastSendByChat.set(chat, Math.max(at, this.lastSendByChat.get(chat) ?? 0));
  }

  /** Waits for this chat's turn; calls are served one at a time, in order. */
  acquire(chat: string, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitTurn(chat, signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitTurn(chat: string, signal?: AbortSignal) {
    const pacing = this.settings;
    if (!pacing.enabled) return;
    const perTokenMs = 60_000 / pacing.messagesPerMinute;
    this.refill(perTokenMs);
    if (this.tokens < 1) {
      await this.clock.sleep(Math.ceil((1 - this.tokens) * perTokenMs), signal);
      this.refill(perTokenMs);
    }
    const last = this.lastSendByChat.get(chat);
    const gapLeft = last === undefined ? 0 : last + pacing.perChatGapMs - this.clock.now();
    const jitter = pacing.jitterMinMs + this.random() * Math.max(0, pacing.jitterMaxMs - pacing.jitterMinMs);
    await this.clock.sleep(Math.max(gapLeft, jitter), signal);
    this.refill(perTokenMs);
    this.tokens -= 1;
    this.lastSendByChat.set(chat, this.clock.now());
  }

  private refill(perTokenMs: number) {
    const now = this.clock.now();
    const refilled = this.tokens + (now - this.refilledAt) / perTokenMs;
    this.tokens = Math.min(this.settings.burst, refilled);
    this.refilledAt = now;
  }
}
