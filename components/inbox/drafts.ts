/**
 * Unsent replies, kept per person and conversation in the tab's sessionStorage, so switching
 * threads or reloading the page does not lose what someone was writing. Keyed by the user too:
 * whoever signs in next in the same tab never sees another person's draft. Storage that is
 * missing or full (private modes) just means no draft is kept.
 */
export type TDraftStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

const key = (userId: string, threadId: string) => `switchboard:inbox-draft:${userId}:${threadId}`;

/** The tab's sessionStorage, or null on the server and where it is unavailable. */
export function sessionDrafts(): TDraftStorage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null;
  }
}

export function readDraft(storage: TDraftStorage | null, userId: string, threadId: string): string {
  try {
    return storage?.getItem(key(userId, threadId)) ?? "";
  } catch {
    return "";
  }
}

/** Keeps `text` as the draft; blank text removes it. */
export function writeDraft(storage: TDraftStorage | null, userId: string, threadId: string, text: string) {
  try {
    if (text.trim()) storage?.setItem(key(userId, threadId), text);
    else storage?.removeItem(key(userId, threadId));
  } catch {
    // Full or refused storage: the draft lives only in the page.
  }
}
