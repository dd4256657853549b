"use client";

import { useEffect, useRef } from "react";
import type { TPresenceState } from "~/server/sessions/presence";

/** A live domain event, as /api/events streams it. */
export type TLiveEvent = {
  id: string;
  type: string;
  sessionId: string | null;
  contactId: string | null;
  threadId: string | null;
  messageId: string | null;
  at: string;
  /** `contact.presence` only (live, never stored): what the contact is doing. */
  presence?: { state: TPresenceState; lastSeen: string | null };
  /** `notification.created` only: the user it is for (the stream sends it to nobody else). */
  userId?: string;
  /** `user.availability` only (live, never stored): whose availability changed, and to what. */
  availability?: { userId: string; state: "online" | "away" | "offline" };
};

type TListener = (event: TLiveEvent) => void;

// One EventSource per tab, shared by every component that listens (the navigation badge and the
// page both do): browsers allow only six HTTP/1.1 connections per host, and each stream holds one.
const listeners = new Set<TListener>();
let source: EventSource | null = null;

function subscribe(listener: TListener): () => void {
  listeners.add(listener);
  if (!source) {
    source = new EventSource("/api/events");
    source.onmessage = (message: MessageEvent<string>) => {
      let event: TLiveEvent;
      try {
        event = JSON.parse(message.data) as TLiveEvent;
      } catch {
        return; // not an event
      }
      for (const each of listeners) {
        try {
          each(event);
        } catch (error) {
          console.error(error); // one listener's bug must not silence the others
        }
      }
    };
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      source?.close();
      source = null;
    }
  };
}

/**
 * Calls `onEvent` for every live event the user may see. All mounted components share one
 * EventSource; the browser reconnects by itself after a drop.
 */
export function useLiveEvents(onEvent: (event: TLiveEvent) => void) {
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  useEffect(() => subscribe((event) => handler.current(event)), []);
}
