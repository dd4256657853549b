"use client";

import { QueryClientContext } from "@tanstack/react-query";
import { useCallback, useContext, useRef, useState } from "react";

/** The queries whose messages carry signed media links (tRPC paths): refetched when a link has expired. */
const MEDIA_QUERY_PATHS = new Set(["inbox.thread", "contacts.get", "simulator.thread"]);

function isMediaQuery(queryKey: readonly unknown[]): boolean {
  const path = queryKey[0];
  return Array.isArray(path) && MEDIA_QUERY_PATHS.has(path.join("."));
}

/** Where a media element's link stands: loading fine, being re-signed after a failure, or broken for good. */
export type TLinkState = "ok" | "refreshing" | "broken";

/**
 * What a media element does when its signed link fails to load (most often: it expired while
 * the page stayed open): it is hidden, the page's messages are refetched once (which signs
 * fresh links), and then it loads again, from the fresh link or, when the link was still
 * valid, the same one. A second failure is for good: the state is `broken` and the view shows
 * words instead of a broken image. Without a QueryClient (static rendering in tests) a failure
 * is `broken` at once.
 */
export function useLinkRefresh(url: string | undefined): { state: TLinkState; onError: () => void } {
  const queryClient = useContext(QueryClientContext);
  const retried = useRef<string | null>(null);
  const [failed, setFailed] = useState<{ url: string; broken: boolean } | null>(null);
  const onError = useCallback(() => {
    if (!url) return;
    if (!queryClient || retried.current !== null) {
      // One refetch per element: a second failure (a fresh link failing too) is for good.
      setFailed({ url, broken: true });
      return;
    }
    retried.current = url;
    setFailed({ url, broken: false });
    void queryClient
      .invalidateQueries({ predicate: (query) => isMediaQuery(query.queryKey) })
      // Shown again: a fresh link replaces it; an unchanged one is requested once more.
      .finally(() => setFailed(null));
  }, [queryClient, url]);
  if (!url || failed?.url !== url) return { state: "ok", onError };
  return { state: failed.broken ? "broken" : "refreshing", onError };
}
