/** A catalogue, or one of its namespaces: nested objects whose leaves are messages. */
export type TMessageTree = { [key: string]: string | TMessageTree };

/**
 * A catalogue tree as dotted key → message (`inbox.content.empty` → "Empty message"). Pure and
 * free of imports, so the server, the unit tests and the browser tests (which read the JSON files
 * themselves) share it.
 */
export function flattenMessages(tree: TMessageTree, prefix = "", out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(path, value);
    else flattenMessages(value, path, out);
  }
  return out;
}
