"use client";

import { useEffect, useRef } from "react";

/** A live domain event, as /api/events streams it. */
export type TLiveEvent = {
  id: string;
  type: string;
  sessionId: string | null;
  contactId: string | null;
  threadId: string | null;
  messageId: string | null;
  at: string;
};

/**
 * Calls `onEvent` for every live event the user may see. One EventSource per mounted
 * component; the browser reconnects by itself after a drop.
 */
export function useLiveEvents(onEvent: (event: TLiveEvent) => void) {
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  useEffect(() => {
    const source = new EventSource("/api/events");
    source.onmessage = (message: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(message.data) as TLiveEvent);
      } catch {
        // not an event
      }
    };
    return () => source.close();
  }, []);
}
