import type { TWwebjsClient } from "./client";

/**
 * "typing…" in a chat while the bot prepares a reply: shown once an inbound message is stored,
 * cleared when the reply is sent or after `maxMs`. Presence is best effort: a failure to show
 * or clear it is ignored.
 */
export function createTypingPresence(
  client: () => TWwebjsClient | null,
  settings: () => { enabled: boolean; maxMs: number },
) {
  const timers = new Map<string, NodeJS.Timeout>();

  const stop = (chatId: string) => {
    const timer = timers.get(chatId);
    if (!timer) return;
    clearTimeout(timer);
    timers.delete(chatId);
    void client()
      ?.getChatById(chatId)
      .then((chat) => chat.clearState())
      .catch(() => undefined);
  };

  return {
    start(chatId: string) {
      const typing = settings();
      const current = client();
      if (!typing.enabled || !current) return;
      stop(chatId);
      void current
        .getChatById(chatId)
        .then((chat) => chat.sendStateTyping())
        .catch(() => undefined);
      const timer = setTimeout(() => stop(chatId), typing.maxMs);
      timer.unref();
      timers.set(chatId, timer);
    },
    stop,
    /** Forgets every chat (the client is going away; nothing to clear on it). */
    reset() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
