"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { useLiveEvents } from "~/components/live/use-live-events";
import { useTRPC } from "~/components/trpc/client";
import { PRESENCE_WATCH_EVERY_MS, presenceExpiresAt, shownPresence, type TReceivedPresence } from "./presence-state";

/**
 * Watches the open conversation's contact while this tab shows it: asks the server on open, every
 * `PRESENCE_WATCH_EVERY_MS` and when the tab comes back into view (the server announces it to the
 * number's worker at most every 10 s), and follows `contact.presence` on the live stream. Returns
 * what to show beside the name, faded after its time (`PRESENCE_SHOWN_FOR_MS`). `enabled` is
 * whether the number's engine reports presence: without it, nothing is asked and nothing shows.
 */
export function useContactPresence(threadId: string, enabled: boolean) {
  const trpc = useTRPC();
  const { mutate: watch } = useMutation(trpc.inbox.watchPresence.mutationOptions());
  useEffect(() => {
    if (!enabled) return;
    const ask = () => {
      if (document.visibilityState === "visible") watch({ threadId });
    };
    ask();
    const timer = setInterval(ask, PRESENCE_WATCH_EVERY_MS);
    document.addEventListener("visibilitychange", ask);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", ask);
    };
  }, [threadId, enabled, watch]);

  const [received, setReceived] = useState<TReceivedPresence | null>(null);
  // The moment the shown presence was last judged: when a notice arrived, or when it fades.
  const [now, setNow] = useState(0);
  useLiveEvents((event) => {
    if (!enabled || event.type !== "contact.presence" || event.threadId !== threadId || !event.presence) return;
    const at = Date.now();
    setReceived({ threadId, state: event.presence.state, receivedAt: at });
    setNow(at);
  });
  useEffect(() => {
    if (!received) return;
    const fadesIn = presenceExpiresAt(received) - Date.now();
    if (fadesIn <= 0) return;
    const timer = setTimeout(() => setNow(Date.now()), fadesIn);
    return () => clearTimeout(timer);
  }, [received]);
  return enabled ? shownPresence(received, threadId, now) : null;
}

/**
 * "typing…", "recording audio…" or "online" beside the contact's name, as it happens. A polite
 * live region, present (empty) from the start so screen readers announce its changes.
 */
export function ContactPresence({ threadId, enabled }: { threadId: string; enabled: boolean }) {
  const t = useTranslations("inbox.presence");
  const shown = useContactPresence(threadId, enabled);
  if (!enabled) return null;
  return (
    <span
      role="status"
      aria-live="polite"
      aria-atomic="true"
      data-testid="contact-presence"
      data-state={shown ?? "none"}
      className="text-sm text-muted-foreground italic"
    >
      {shown ? t(shown) : null}
    </span>
  );
}
