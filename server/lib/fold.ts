/** Short texts folded lately (rule values are folded for every message they are tested on). */
const recent = new Map<string, string>();
const RECENT_MAX = 1_024;
const CACHED_UP_TO_CHARS = 256;

/**
 * Lower case, accents removed: "Préço" → "preco". How text is compared wherever people's words
 * are matched (rule operators, topics and mood, the offline AI provider), so all of them agree.
 */
export function fold(text: string): string {
  if (text.length > CACHED_UP_TO_CHARS) return foldNow(text);
  let folded = recent.get(text);
  if (folded === undefined) {
    folded = foldNow(text);
    if (recent.size >= RECENT_MAX) recent.clear();
    recent.set(text, folded);
  }
  return folded;
}

function foldNow(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}
