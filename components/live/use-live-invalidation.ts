"use client";

import { type QueryKey, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { type TLiveEvent, useLiveEvents } from "./use-live-events";

/**
 * Refetches the queries live events make stale. `keysFor` names them per event; a burst of
 * events (a send's queued, sent and delivered, an import) becomes one refetch per key after
 * `delayMs`, not one per event.
 */
export function useLiveInvalidation(keysFor: (event: TLiveEvent) => readonly QueryKey[], delayMs = 200) {
  const queryClient = useQueryClient();
  const pending = useRef(new Map<string, QueryKey>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  useLiveEvents((event) => {
    const keys = keysFor(event);
    if (keys.length === 0) return;
    for (const key of keys) pending.current.set(JSON.stringify(key), key);
    timer.current ??= setTimeout(() => {
      timer.current = null;
      const due = [...pending.current.values()];
      pending.current.clear();
      for (const queryKey of due) void queryClient.invalidateQueries({ queryKey });
    }, delayMs);
  });
}
