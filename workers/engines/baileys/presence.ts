import type { TBaileysSocket } from "./socket";

/**
 * "typing…" in a chat while the bot prepares a reply: `composing` once a live inbound message is
 * stored, `paused` when the reply is sent or after `maxMs`. Presence is best effort: a failure
 * to show or clear it is ignored (it never holds up a message).
 */
export function createBaileysTyping(
  socket: () => TBaileysSocket | null,
  settings: () => { enabled: boolean; maxMs: number },
) {
  const timers = new Map<string, NodeJS.Timeout>();

  const stop = (jid: string) => {
    const timer = timers.get(jid);
    if (!timer) return;
    clearTimeout(timer);
    timers.delete(jid);
    void socket()
      ?.sendPresenceUpdate("paused", jid)
      .catch(() => undefined);
  };

  return {
    start(jid: string) {
      const typing = settings();
      const current = socket();
      if (!typing.enabled || !current) return;
      clearTimeout(timers.get(jid));
      void current.sendPresenceUpdate("composing", jid).catch(() => undefined);
      const timer = setTimeout(() => stop(jid), typing.maxMs);
      timer.unref();
      timers.set(jid, timer);
    },
    stop,
    /** Forgets every chat (the socket is going away; nothing to clear on it). */
    reset() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
