/**
 * Text Postgres cannot store, found or repaired in one place.
 *
 * Postgres refuses U+0000 in `text` and `jsonb`, and a lone UTF-16 surrogate (half of a
 * pair) in `jsonb` (in `text` the driver silently turns it into U+FFFD). What people and other
 * systems send is checked here before any schema sees it (the tRPC middleware and the REST
 * handler walk every input), so no field can be forgotten; what WhatsApp delivers is repaired
 * instead, since a message must never be lost (`repairStrings`).
 *
 * Field names `__proto__`, `constructor` and `prototype` are refused too: merged into an object
 * they reach its prototype, and superjson (tRPC's transformer) refuses to send any object that
 * has one, so a stored one (a rule's event data, say) would break every later read of it.
 */

export type TUnstorableProblem = "nul" | "lone_surrogate" | "reserved_key";

/** Field names that reach an object's prototype; never accepted from outside. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Where the first unstorable text of an input is: its path, and whether it is in a key. */
export type TUnstorableText = { path: (string | number)[]; problem: TUnstorableProblem; inKey: boolean };

function problemOf(text: string): TUnstorableProblem | null {
  if (text.includes("\u0000")) return "nul";
  if (!text.isWellFormed()) return "lone_surrogate";
  return null;
}

function isWalkable(value: unknown): value is object {
  return typeof value === "object" && value !== null && !(value instanceof Date) && !(value instanceof RegExp);
}

/** The entries of a container, in document order; keys of maps are values to check too. */
function entriesOf(value: object): [key: string | number, child: unknown, mapKey?: unknown][] {
  if (Array.isArray(value)) return value.map((child, index) => [index, child]);
  if (value instanceof Map) return [...value.entries()].map(([key, child], index) => [index, child, key]);
  if (value instanceof Set) return [...value.values()].map((child, index) => [index, child]);
  return Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]);
}

type TNode = { value: unknown; key: string | number | null; parent: TNode | null };

function pathOf(node: TNode): (string | number)[] {
  const path: (string | number)[] = [];
  for (let current: TNode | null = node; current && current.key !== null; current = current.parent) {
    path.push(current.key);
  }
  return path.reverse();
}

/**
 * The first string (or object key) in `value` that Postgres could not store, or null. Walks
 * depth-first without recursion, and builds the path only for what it finds, so an input nested
 * 100,000 levels deep costs linear time and cannot overflow the stack.
 */
export function findUnstorableText(value: unknown): TUnstorableText | null {
  const stack: TNode[] = [{ value, key: null, parent: null }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    const current = node.value;
    if (typeof current === "string") {
      const problem = problemOf(current);
      if (problem) return { path: pathOf(node), problem, inKey: false };
      continue;
    }
    if (!isWalkable(current) || seen.has(current)) continue;
    seen.add(current);
    const children: TNode[] = [];
    for (const [key, child, mapKey] of entriesOf(current)) {
      if (typeof key === "string") {
        const problem = RESERVED_KEYS.has(key) ? "reserved_key" : problemOf(key);
        if (problem) return { path: pathOf({ value: null, key, parent: node }), problem, inKey: true };
      }
      if (mapKey !== undefined) children.push({ value: mapKey, key, parent: node });
      children.push({ value: child, key, parent: node });
    }
    // Pushed in reverse so the first field is checked first.
    for (let index = children.length - 1; index >= 0; index -= 1) stack.push(children[index]!);
  }
  return null;
}

/** What is wrong with the text, in words for the field's message. */
export function describeUnstorableText(found: Pick<TUnstorableText, "problem" | "inKey" | "path">): string {
  if (found.problem === "reserved_key") {
    return `Has a field named “${String(found.path.at(-1))}”, which is not allowed; rename it`;
  }
  const what =
    found.problem === "nul"
      ? "a NUL character (U+0000), which cannot be stored; remove it"
      : "a broken character (half of a UTF-16 surrogate pair); type or paste the text again";
  return found.inKey ? `Has a field name with ${what}` : `Contains ${what}`;
}

/** The whole error message: the field as the reader knows it, then what is wrong (`Name: contains a NUL…`). */
export function unstorableTextMessage(
  field: string,
  found: Pick<TUnstorableText, "problem" | "inKey" | "path">,
): string {
  const problem = describeUnstorableText(found);
  return `${field}: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}.`;
}

/** Field names whose label is not simply their name in words. */
const LABELS: Record<string, string> = {
  body: "Message",
  text: "Text",
  phone: "Phone number",
  waId: "Number",
  pushName: "Name",
  q: "Search",
  csv: "File",
  content: "File",
  url: "URL",
  id: "ID",
};

/**
 * A field as a person sees it in the dashboard: the last named part of its path in words
 * (`contact.defaultCountry` → "Default country", `tags.3` → "Tags"), so messages never show a path.
 */
export function fieldLabel(path: readonly (string | number | symbol)[]): string {
  const name = [...path].reverse().find((part): part is string => typeof part === "string" && !/^\d+$/.test(part));
  if (!name) return "The input";
  if (Object.hasOwn(LABELS, name)) return LABELS[name]!;
  return humaniseName(name);
}

/** `defaultCountry` → "Default country", `push_name` → "Push name": a field name in words, for one we have no label for. */
export function humaniseName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export type TTextRepair = "nul_removed" | "invalid_utf16";

/** Text made storable: lone surrogates become U+FFFD, NUL characters are removed. */
export function repairText(text: string): { text: string; repairs: TTextRepair[] } {
  const repairs: TTextRepair[] = [];
  let result = text;
  if (!result.isWellFormed()) {
    result = result.toWellFormed();
    repairs.push("invalid_utf16");
  }
  if (result.includes("\u0000")) {
    result = result.replaceAll("\u0000", "");
    repairs.push("nul_removed");
  }
  return { text: result, repairs };
}

/**
 * A copy of a value with every string and object key made storable (`repairText`), and which
 * repairs were needed anywhere in it; plain objects and arrays are copied, anything else (dates,
 * numbers) is kept as is. For what WhatsApp delivers: it is kept, not refused.
 */
export function repairStrings<T>(value: T): { value: T; repairs: TTextRepair[] } {
  const repairs = new Set<TTextRepair>();
  const fix = (text: string) => {
    const repaired = repairText(text);
    for (const repair of repaired.repairs) repairs.add(repair);
    return repaired.text;
  };
  const copy = (current: unknown): unknown => {
    if (typeof current === "string") return fix(current);
    if (Array.isArray(current)) return current.map(copy);
    if (typeof current === "object" && current !== null && Object.getPrototypeOf(current) === Object.prototype) {
      return Object.fromEntries(Object.entries(current).map(([key, child]) => [fix(key), copy(child)]));
    }
    return current;
  };
  return { value: copy(value) as T, repairs: [...repairs] };
}
