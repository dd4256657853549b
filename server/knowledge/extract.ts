import { parse as parseCsv } from "csv-parse/sync";
import { serverText, type TServerText } from "~/server/i18n/domain";
import { normaliseText } from "./split";

/**
 * Turning what a source was given (a PDF, Markdown or plain text file, a CSV of questions and
 * answers, a web page's HTML) into text the splitter reads: Markdown-style headings kept
 * (`# Heading`), paragraphs separated by blank lines, pages by page breaks. Input that cannot be
 * used throws a `KnowledgeSourceError` whose text says why, in the reader's words.
 */

/** Limits of one source; passing one fails the source with a reason that names it. */
export const KNOWLEDGE_LIMITS = {
  /** An uploaded file. */
  fileBytes: 20 * 1024 * 1024,
  /** A web page's HTML. */
  pageBytes: 5 * 1024 * 1024,
  /** Pasted text. */
  pastedChars: 200_000,
  /** The text extracted from any source. */
  textChars: 1_000_000,
  pdfPages: 500,
  csvRows: 5_000,
} as const;

/** Why a source could not be indexed, as a catalogue text (stored on the source, shown on the Knowledge page). */
export class KnowledgeSourceError extends Error {
  constructor(readonly text: TServerText) {
    super(text.key);
    this.name = "KnowledgeSourceError";
  }
}

export function sourceFailure(key: string, values?: Record<string, string | number>): KnowledgeSourceError {
  return new KnowledgeSourceError(serverText(`knowledgeUi.failure.${key}`, values));
}

/** Text from bytes: UTF-8 (a byte order mark dropped), else Windows-1252 (old spreadsheets' CSVs). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/** Refuses empty text and text over the limit; returns it normalised. */
export function checkedText(text: string): string {
  const normal = normaliseText(text).trim();
  if (normal === "") throw sourceFailure("noText");
  if (normal.length > KNOWLEDGE_LIMITS.textChars) {
    throw sourceFailure("textTooLong", { max: KNOWLEDGE_LIMITS.textChars });
  }
  return normal;
}

type TPdfTextItem = { str: string; hasEOL?: boolean; transform?: number[]; height?: number };

/**
 * A PDF's text, page by page (pages separated by a page break), through `unpdf` (pdf.js): a
 * vertical gap wider than one and a half lines between two lines becomes a paragraph break.
 * Encrypted, damaged, over-long and text-less (scanned) PDFs are refused with their reason.
 */
export async function extractPdf(bytes: Uint8Array): Promise<{ text: string; pages: number; title?: string }> {
  const { getDocumentProxy } = await import("unpdf");
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given: a copy.
    pdf = await getDocumentProxy(new Uint8Array(bytes));
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name === "PasswordException") throw sourceFailure("pdfEncrypted");
    throw sourceFailure("pdfInvalid");
  }
  try {
    if (pdf.numPages > KNOWLEDGE_LIMITS.pdfPages) {
      throw sourceFailure("pdfTooManyPages", { pages: pdf.numPages, max: KNOWLEDGE_LIMITS.pdfPages });
    }
    const pages: string[] = [];
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      pages.push(pageText(content.items as TPdfTextItem[]));
      page.cleanup();
    }
    let title: string | undefined;
    try {
      const meta = await pdf.getMetadata();
      const info = meta.info as { Title?: unknown } | undefined;
      if (typeof info?.Title === "string" && info.Title.trim()) title = info.Title.trim().slice(0, 200);
    } catch {
      // No metadata: the file name is the title.
    }
    const text = pages.join("\f");
    if (text.replace(/\s+/g, "") === "") throw sourceFailure("pdfNoText");
    return { text, pages: pdf.numPages, ...(title ? { title } : {}) };
  } finally {
    await pdf.loadingTask.destroy().catch(() => undefined);
  }
}

function pageText(items: readonly TPdfTextItem[]): string {
  let out = "";
  let lastY: number | null = null;
  let lastHeight = 0;
  for (const item of items) {
    if (typeof item.str !== "string") continue;
    const y = item.transform?.[5];
    if (y !== undefined && lastY !== null && out !== "" && !out.endsWith("\n")) {
      // A new line without an end-of-line mark before it.
      if (Math.abs(lastY - y) > Math.max(lastHeight, 1) * 0.5) out += "\n";
    }
    if (y !== undefined && lastY !== null && out.endsWith("\n") && lastY - y > Math.max(lastHeight, 1) * 1.6) {
      out += "\n";
    }
    out += item.str;
    if (item.hasEOL) out += "\n";
    if (y !== undefined && item.str !== "") {
      lastY = y;
      lastHeight = item.height ?? lastHeight;
    }
  }
  return out;
}

export type TQaRow = { question: string; answer: string };

const QUESTION_COLUMNS = new Set(["question", "questions", "q", "pregunta", "preguntas", "pergunta", "perguntas"]);
const ANSWER_COLUMNS = new Set(["answer", "answers", "a", "respuesta", "respuestas", "resposta", "respostas"]);

/**
 * The rows of a CSV of questions and answers: a header row naming a question column and an
 * answer column (English, Spanish or Portuguese names, any case), comma, semicolon or tab
 * separated. Rows without a question or an answer are skipped.
 */
export function parseQaCsv(text: string): TQaRow[] {
  const clean = text.replace(/^\uFEFF/, "");
  const firstLine = clean.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = [",", ";", "\t"].reduce((best, candidate) =>
    firstLine.split(candidate).length > firstLine.split(best).length ? candidate : best,
  );
  let records: unknown;
  try {
    records = parseCsv(clean, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw sourceFailure("csvInvalid", { line: line ?? 1 });
  }
  const table = records as string[][];
  const header = (table[0] ?? []).map((cell) => cell.trim().toLowerCase());
  const questionAt = header.findIndex((cell) => QUESTION_COLUMNS.has(cell));
  const answerAt = header.findIndex((cell) => ANSWER_COLUMNS.has(cell));
  if (questionAt < 0 || answerAt < 0) throw sourceFailure("csvColumns");
  const rows: TQaRow[] = [];
  for (const record of table.slice(1)) {
    const question = normaliseText(record[questionAt] ?? "").trim();
    const answer = normaliseText(record[answerAt] ?? "").trim();
    if (question && answer) rows.push({ question, answer });
  }
  if (rows.length === 0) throw sourceFailure("csvEmpty");
  if (rows.length > KNOWLEDGE_LIMITS.csvRows) {
    throw sourceFailure("csvTooManyRows", { rows: rows.length, max: KNOWLEDGE_LIMITS.csvRows });
  }
  return rows;
}

const SKIPPED_ELEMENTS = ["script", "style", "noscript", "template", "svg", "head", "iframe", "object", "canvas"];
const BLOCK_ELEMENTS =
  /^(p|div|section|article|main|aside|header|footer|nav|ul|ol|dl|dt|dd|table|blockquote|pre|figure|figcaption|form|fieldset|address|details|summary|hr)$/;
const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  euro: "€",
  pound: "£",
  copy: "©",
  reg: "®",
  trade: "™",
  laquo: "«",
  raquo: "»",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  middot: "·",
  bull: "•",
  deg: "°",
  times: "×",
};

/** `&amp;`, `&#233;`, `&#xE9;` and the common named entities decoded; unknown ones kept as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z][a-z0-9]{1,31});/gi, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : "";
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * A web page's readable text: scripts, styles and the head dropped, headings (`h1`–`h6`) kept as
 * Markdown headings, list items as "- " lines, table cells separated by " | ", block elements as
 * paragraphs; the `<title>` returned as the page's title.
 */
export function htmlToText(html: string): { title?: string; text: string } {
  const titleMatch = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  const title = titleMatch
    ? decodeEntities(titleMatch[1]!.replace(/<[^>]*>/g, ""))
        .replace(/\s+/g, " ")
        .trim()
    : "";
  let body = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "")
    .replace(/<[!?][^>]*>/g, "");
  for (const element of SKIPPED_ELEMENTS) {
    body = body.replace(new RegExp(`<${element}\\b[\\s\\S]*?<\\/${element}\\s*>`, "gi"), " ");
  }
  let out = "";
  const tag = /<\/?([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>|([^<]+)|</g;
  let heading = 0;
  for (const match of body.matchAll(tag)) {
    const [whole, name, text] = match;
    if (text !== undefined || !name) {
      // Text: runs of white space are one space (in a heading as elsewhere).
      out += decodeEntities((text ?? whole).replace(/\s+/g, " "));
      continue;
    }
    const lower = name.toLowerCase();
    const closing = whole.startsWith("</");
    const level = /^h([1-6])$/.exec(lower)?.[1];
    if (level) {
      if (closing) {
        heading = 0;
        out += "\n\n";
      } else {
        heading = Number(level);
        out += `\n\n${"#".repeat(heading)} `;
      }
    } else if (lower === "br") out += "\n";
    // List items and table rows are lines of one block: a short list or table stays in one passage.
    else if (lower === "li") out += closing ? "" : "\n- ";
    else if (lower === "td" || lower === "th") out += closing ? " | " : "";
    else if (lower === "tr") out += closing ? "" : "\n";
    else if (BLOCK_ELEMENTS.test(lower)) out += "\n\n";
  }
  const text = out
    .split("\n")
    .map((line) =>
      line
        .replace(/[ \t]+/g, " ")
        .replace(/\s*\|\s*$/, "")
        .trim(),
    )
    // A heading with nothing in it is no heading.
    .filter((line) => !/^#{1,6}\s*$/.test(line))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return { ...(title ? { title: title.slice(0, 200) } : {}), text };
}
