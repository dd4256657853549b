/**
 * What the composer suggests while someone types: "/" at the start of a word opens the saved
 * replies, "@" (in a note) the teammates, each filtered by what follows up to the cursor. Pure, so
 * unit tests pin it.
 */
export type TTrigger = { kind: "slash" | "mention"; query: string; start: number; end: number };

const SLASH = /(?:^|\s)\/([^\s/]*)$/u;
const MENTION = /(?:^|\s)@([\p{L}\p{N}._-]*)$/u;

/** The trigger the word before the cursor makes, if any (`start`: where its "/" or "@" is). */
export function findTrigger(text: string, caret: number, options: { mentions: boolean }): TTrigger | null {
  const before = text.slice(0, caret);
  const slash = SLASH.exec(before);
  if (slash) return { kind: "slash", query: slash[1]!, start: caret - slash[1]!.length - 1, end: caret };
  if (!options.mentions) return null;
  const mention = MENTION.exec(before);
  if (mention) return { kind: "mention", query: mention[1]!, start: caret - mention[1]!.length - 1, end: caret };
  return null;
}

/** Whether `item` matches what was typed (case and accents ignored; any word's start). */
export function matchesQuery(item: string, query: string): boolean {
  if (!query) return true;
  const fold = (value: string) => value.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const words = fold(item);
  const wanted = fold(query);
  return words.includes(wanted);
}

/** The people a note's text still mentions ("@Name" present), of those picked while typing. */
export function mentionedIn(text: string, picked: readonly { id: string; name: string }[]): string[] {
  return [...new Set(picked.filter((person) => text.includes(`@${person.name}`)).map((person) => person.id))];
}
