/**
 * Splitting a source's text into passages (pure, no I/O): passages of about PASSAGE_MIN to
 * PASSAGE_MAX characters along the text's structure. A Markdown heading (`#`…`######`) starts a
 * section, and a passage never spans two sections; inside a section, paragraphs (blocks of lines
 * separated by a blank line or a page break) are packed together up to the maximum. A block is
 * only broken when it is longer than the maximum on its own: between lines first (so the rows of
 * a short table or list stay together), then between sentences, then between words, never inside
 * a word. Each passage is titled "<source title> › <section heading>".
 */

export const PASSAGE_MIN = 500;
export const PASSAGE_MAX = 1_200;
export const TITLE_SEPARATOR = " › ";

export type TPassageDraft = { title: string; body: string };

const HEADING = /^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$/;

/** The text with line endings, page breaks and stray control characters made plain. */
export function normaliseText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      // A page break is a paragraph break.
      .replace(/\f/g, "\n\n")
      // eslint-disable-next-line no-control-regex -- control characters (tab and newline kept) are what is removed
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
      .replace(/[ \t]+$/gm, "")
  );
}

type TSection = { heading: string | null; blocks: string[] };

/** Sections (by heading) and their blocks (paragraphs: lines between blank lines). */
function sectionsOf(text: string): TSection[] {
  const sections: TSection[] = [{ heading: null, blocks: [] }];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length > 0) sections.at(-1)!.blocks.push(lines.join("\n"));
    lines = [];
  };
  for (const line of normaliseText(text).split("\n")) {
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      sections.push({ heading: heading[2]!.trim(), blocks: [] });
    } else if (line.trim() === "") {
      flush();
    } else {
      lines.push(line.trim());
    }
  }
  flush();
  return sections.filter((section) => section.blocks.length > 0);
}

/** Packs `parts` (joined by `joiner`) into pieces of at most `max` characters, in order. */
function pack(parts: readonly string[], joiner: string, max: number): string[] {
  const pieces: string[] = [];
  let current = "";
  for (const part of parts) {
    if (current === "") current = part;
    else if (current.length + joiner.length + part.length <= max) current += joiner + part;
    else {
      pieces.push(current);
      current = part;
    }
  }
  if (current !== "") pieces.push(current);
  return pieces;
}

/** A block no longer than `max`, else its pieces: by lines, then sentences, then words (a word longer than `max` alone is cut). */
function breakBlock(block: string, max: number): string[] {
  if (block.length <= max) return [block];
  const lines = block.split("\n");
  if (lines.length > 1)
    return pack(
      lines.flatMap((line) => breakBlock(line, max)),
      "\n",
      max,
    );
  const sentences = block.split(/(?<=[.!?…;:])\s+/);
  if (sentences.length > 1)
    return pack(
      sentences.flatMap((sentence) => breakBlock(sentence, max)),
      " ",
      max,
    );
  const words = block.split(/\s+/).flatMap((word) => {
    if (word.length <= max) return [word];
    const cut: string[] = [];
    for (let start = 0; start < word.length; start += max) cut.push(word.slice(start, start + max));
    return cut;
  });
  return pack(words, " ", max);
}

/**
 * Passages of a text under `sourceTitle` (see the module comment). A section's last passage
 * shorter than PASSAGE_MIN / 2 joins the one before when both fit within the maximum.
 */
export function splitText(
  text: string,
  sourceTitle: string,
  options: { min?: number; max?: number } = {},
): TPassageDraft[] {
  const max = options.max ?? PASSAGE_MAX;
  const min = options.min ?? PASSAGE_MIN;
  const passages: TPassageDraft[] = [];
  for (const section of sectionsOf(text)) {
    const title = passageTitle(sourceTitle, section.heading);
    const bodies = pack(
      section.blocks.flatMap((block) => breakBlock(block, max)),
      "\n\n",
      max,
    );
    const last = bodies.at(-1);
    const before = bodies.at(-2);
    if (last !== undefined && before !== undefined && last.length < min / 2 && before.length + 2 + last.length <= max) {
      bodies.splice(-2, 2, `${before}\n\n${last}`);
    }
    for (const body of bodies) passages.push({ title, body });
  }
  return passages;
}

/** "<source title> › <heading>", or the source title alone. */
export function passageTitle(sourceTitle: string, heading: string | null): string {
  const source = sourceTitle.trim();
  if (!heading) return source;
  return source ? `${source}${TITLE_SEPARATOR}${heading}` : heading;
}
