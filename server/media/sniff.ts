import { Readable } from "node:stream";
import { fileTypeFromBuffer } from "file-type";
import type { TMediaCategory } from "~/db/schema/media";
import type { TMediaKind } from "~/server/messages/content";

/**
 * What a file really is, from its first bytes: never from the name or the type it claims.
 *
 * `file-type` knows binary formats by their magic numbers; what it cannot tell (plain text, CSV,
 * JSON) is recognised as valid UTF-8 without NULs or control characters, and named from the
 * claimed type or the file name's extension (text is text, whatever it is called).
 *
 * Which real types each kind accepts (`ACCEPTED_TYPES`), and why:
 * - image: JPEG, PNG, WebP, GIF — the raster formats WhatsApp and every browser show.
 * - sticker: WebP only (WhatsApp's sticker format).
 * - video: MP4, 3GPP, QuickTime (iPhones), WebM (browsers record it).
 * - audio: MP3, MP4/M4A/AAC, OGG, AMR (WhatsApp's own), WAV, FLAC, WebM.
 * - voice: OGG (WhatsApp's voice notes are OGG/Opus), WebM (what Chrome and Firefox record),
 *   MP4/AAC (what Safari records) and AMR (old phones). Sending a voice note that is not
 *   OGG/Opus is the send path's concern; it is stored and shown either way.
 * - document: anything but active content and programs: executables (EXE, ELF, Mach-O, APK,
 *   JAR, WebAssembly, Flash, installers, shortcuts, browser extensions, macro-enabled Office
 *   files), HTML, SVG, XHTML and scripts (`#!`), by content and by file name. Served files must
 *   never be able to run: those are refused as `unsupported_type`.
 * With no kind (or `auto`), the content decides: image, audio, video, else document.
 *
 * A type the content contradicts (a PDF claimed as image/jpeg, a program renamed .pdf) is
 * `type_mismatch`. Within images, and between audio and video (containers hold either), a
 * different exact type is not a contradiction: the real type is recorded.
 */

/** How many leading bytes are read to find the type (file-type's own "reasonable" size). */
export const SNIFF_BYTES = 4_100;

/** Why a file is refused before it is stored (the `media.error` codes intake can give). */
export type TRefusalCode = "too_large" | "type_mismatch" | "unsupported_type" | "empty";

/**
 * A file intake will not take, with a code for the reader (catalogue `domain.mediaIntake.<code>`)
 * and an English `detail` for logs and the API that names the claimed and the real type.
 */
export class MediaRefusedError extends Error {
  constructor(
    readonly code: TRefusalCode,
    readonly detail: string,
    /** What the reader's message names: the kind, its limit in words, the claimed and the real type. */
    readonly values: TRefusalValues = {},
  ) {
    super(detail);
    this.name = "MediaRefusedError";
  }
}

export type TRefusalValues = { kind?: TMediaKind; limit?: string; claimed?: string; real?: string };

/** The media kind an upload asks for, or `auto` to let the content decide. */
export type TKindOrAuto = TMediaKind | "auto";

/** What the first bytes say a file is. */
export type TSniffed = {
  /** The real type (`image/jpeg`, `audio/ogg; codecs=opus`, `text/csv`, `application/octet-stream`…). */
  mimeType: string;
  /** What it is for showing: image, audio and video are safe to show inline; everything else is a document. */
  category: TMediaCategory;
  /** What a person would call it, for comparing with a claim. */
  family: TFamily;
  /** Active content or a program: never accepted. */
  isBlocked: boolean;
};

type TFamily = "image" | "audio" | "video" | "text" | "binary";

const RASTER_IMAGES = ["image/jpeg", "image/png", "image/webp", "image/gif"];
const PLAYABLE_AUDIO = [
  "audio/mpeg",
  "audio/mp4",
  "audio/x-m4a",
  "audio/aac",
  "audio/ogg",
  "audio/amr",
  "audio/wav",
  "audio/flac",
  "audio/webm",
  "audio/3gpp",
];
const PLAYABLE_VIDEO = ["video/mp4", "video/3gpp", "video/quicktime", "video/webm"];

/** The real types each kind accepts (base types, without parameters). */
export const ACCEPTED_TYPES: Record<TMediaKind, readonly string[] | "any"> = {
  image: RASTER_IMAGES,
  sticker: ["image/webp"],
  video: PLAYABLE_VIDEO,
  audio: PLAYABLE_AUDIO,
  voice: ["audio/ogg", "audio/webm", "audio/mp4", "audio/x-m4a", "audio/aac", "audio/amr", "audio/3gpp"],
  document: "any",
};

/** Programs and active content, by their real (or claimed) type. */
const BLOCKED_TYPES = new Set([
  "application/x-msdownload",
  "application/x-msdos-program",
  "application/x-dosexec",
  "application/vnd.microsoft.portable-executable",
  "application/x-executable",
  "application/x-elf",
  "application/x-sharedlib",
  "application/x-mach-binary",
  "application/x-shockwave-flash",
  "application/wasm",
  "application/java-vm",
  "application/java-archive",
  "application/x-java-archive",
  "application/vnd.android.package-archive",
  "application/vnd.ms-htmlhelp",
  "application/x-ms-shortcut",
  "application/x-google-chrome-extension",
  "application/x-xpinstall",
  "application/x-ms-regedit",
  "application/x-deb",
  "application/x-rpm",
  "application/x-apple-diskimage",
  "application/x-msi",
  "application/x-ms-installer",
  "application/x-bat",
  "application/x-sh",
  "application/x-shellscript",
  "application/x-csh",
  "application/x-perl",
  "application/x-python",
  "application/x-httpd-php",
  "application/hta",
  "application/javascript",
  "application/x-javascript",
  "application/ecmascript",
  "text/javascript",
  "text/ecmascript",
  "text/vbscript",
  "text/html",
  "application/xhtml+xml",
  "image/svg+xml",
  "text/xsl",
  "application/xslt+xml",
]);

/** File name endings that run when opened: refused whatever the content (a text file named `pay.bat`). */
const BLOCKED_EXTENSIONS = new Set([
  "exe",
  "com",
  "scr",
  "pif",
  "cpl",
  "msi",
  "msp",
  "msc",
  "dll",
  "sys",
  "drv",
  "bat",
  "cmd",
  "ps1",
  "psm1",
  "vbs",
  "vbe",
  "js",
  "jse",
  "mjs",
  "wsf",
  "wsh",
  "hta",
  "lnk",
  "reg",
  "inf",
  "jar",
  "apk",
  "appx",
  "msix",
  "app",
  "dmg",
  "pkg",
  "deb",
  "rpm",
  "sh",
  "bash",
  "csh",
  "command",
  "run",
  "bin",
  "elf",
  "so",
  "dylib",
  "html",
  "htm",
  "xhtml",
  "shtml",
  "mht",
  "mhtml",
  "svg",
  "svgz",
  "xsl",
  "xslt",
  "swf",
  "wasm",
  "crx",
  "xpi",
  "docm",
  "dotm",
  "xlsm",
  "xltm",
  "xlam",
  "pptm",
  "potm",
  "ppsm",
]);

/** Text types a text file may be named as (by its claimed type or its name). */
const TEXT_TYPE_OF_EXTENSION: Record<string, string> = {
  txt: "text/plain",
  log: "text/plain",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  json: "application/json",
  md: "text/markdown",
  markdown: "text/markdown",
  vcf: "text/vcard",
  ics: "text/calendar",
  xml: "application/xml",
};
const TEXT_TYPE_ALIASES: Record<string, string> = {
  "text/plain": "text/plain",
  "text/csv": "text/csv",
  "application/csv": "text/csv",
  "text/comma-separated-values": "text/csv",
  "text/x-csv": "text/csv",
  "text/tab-separated-values": "text/tab-separated-values",
  "application/json": "application/json",
  "text/json": "application/json",
  "text/markdown": "text/markdown",
  "text/x-markdown": "text/markdown",
  "text/vcard": "text/vcard",
  "text/x-vcard": "text/vcard",
  "text/calendar": "text/calendar",
  "application/xml": "application/xml",
  "text/xml": "application/xml",
};

/** Claimed types for common file name endings, when nothing else is claimed (an engine that gives only a name). */
const TYPE_OF_EXTENSION: Record<string, string> = {
  ...TEXT_TYPE_OF_EXTENSION,
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  mp4: "video/mp4",
  m4v: "video/mp4",
  mov: "video/quicktime",
  "3gp": "video/3gpp",
  webm: "video/webm",
  mp3: "audio/mpeg",
  m4a: "audio/x-m4a",
  aac: "audio/aac",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  oga: "audio/ogg",
  amr: "audio/amr",
  wav: "audio/wav",
  flac: "audio/flac",
  pdf: "application/pdf",
  zip: "application/zip",
  rtf: "application/rtf",
  doc: "application/msword",
  xls: "application/vnd.ms-excel",
  ppt: "application/vnd.ms-powerpoint",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  epub: "application/epub+zip",
  rar: "application/x-rar-compressed",
  "7z": "application/x-7z-compressed",
};

/** Binary formats that are one another underneath: a claim of one is not contradicted by the other. */
const SAME_CONTAINER: readonly (readonly string[])[] = [
  // ZIP: Office Open XML, OpenDocument, EPUB and the like (a 4 KB head may show only "zip").
  [
    "application/zip",
    "application/x-zip-compressed",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/epub+zip",
    "application/vnd.apple.keynote",
    "application/vnd.apple.pages",
    "application/vnd.apple.numbers",
  ],
  // Compound File Binary: Word, Excel and PowerPoint before 2007, Outlook messages.
  [
    "application/x-cfb",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-outlook",
    "application/vnd.visio",
  ],
  ["application/x-rar-compressed", "application/vnd.rar", "application/x-rar"],
  ["application/gzip", "application/x-gzip"],
];

/** Spellings of one type that people and systems use. */
const ALIASES: Record<string, string> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "image/apng": "image/png",
  "image/x-png": "image/png",
  "audio/mp3": "audio/mpeg",
  "audio/x-mp3": "audio/mpeg",
  "audio/x-mpeg": "audio/mpeg",
  "audio/m4a": "audio/x-m4a",
  "audio/x-aac": "audio/aac",
  "audio/opus": "audio/ogg",
  "audio/x-wav": "audio/wav",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "audio/x-flac": "audio/flac",
  "video/x-m4v": "video/mp4",
  "application/x-pdf": "application/pdf",
};

/** A type's base (`audio/ogg; codecs=opus` → `audio/ogg`), lower case, spelled one way. */
export function baseTypeOf(mimeType: string): string {
  const base = (mimeType.split(";")[0] ?? "").trim().toLowerCase();
  return ALIASES[base] ?? base;
}

/** The file name's ending, lower case, without the dot ("" without one). */
export function extensionOf(fileName: string | undefined): string {
  const name = (fileName ?? "").trim().replace(/[\s.]+$/, "");
  const dot = name.lastIndexOf(".");
  return dot > 0 || (dot === 0 && name.length > 1) ? name.slice(dot + 1).toLowerCase() : "";
}

/** Whether a file name's ending is one that runs when opened (exe, bat, html, svg…). */
export function isBlockedFileName(fileName: string | undefined): boolean {
  return BLOCKED_EXTENSIONS.has(extensionOf(fileName));
}

/** Whether a real (or claimed) type is a program or active content. */
export function isBlockedType(mimeType: string): boolean {
  const base = baseTypeOf(mimeType);
  return BLOCKED_TYPES.has(base) || base.includes("macroenabled");
}

function categoryOf(base: string): TMediaCategory {
  if (RASTER_IMAGES.includes(base)) return "image";
  if (PLAYABLE_AUDIO.includes(base)) return "audio";
  if (PLAYABLE_VIDEO.includes(base)) return "video";
  return "document";
}

function familyOf(base: string): TFamily {
  if (base.startsWith("image/")) return "image";
  if (base.startsWith("audio/")) return "audio";
  if (base.startsWith("video/")) return "video";
  if (base.startsWith("text/") || Object.hasOwn(TEXT_TYPE_ALIASES, base)) return "text";
  return "binary";
}

/** Whether bytes are UTF-8 text: no NULs or control characters but tab and line breaks, and valid UTF-8. */
export function isUtf8Text(head: Uint8Array, isComplete: boolean): boolean {
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) return false;
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  // The head may end inside a character (up to 3 bytes of it) when the file goes on.
  for (let cut = 0; cut <= (isComplete ? 0 : 3) && cut < head.length; cut += 1) {
    try {
      decoder.decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      // try one byte shorter
    }
  }
  return head.length === 0;
}

/** HTML, SVG or XHTML (markup a browser would run), or a script (`#!`): by what text starts with. */
function isActiveText(head: Uint8Array): boolean {
  const text = new TextDecoder("utf-8").decode(head).replace(/^\uFEFF/, "");
  const start = text.trimStart();
  if (start.startsWith("#!")) return true;
  if (!start.startsWith("<")) return false;
  return /<(html|head|body|script|svg|iframe|object|embed|frameset|meta|link|style)\b|<!doctype\s+html|xmlns\s*=\s*["']http:\/\/www\.w3\.org\/(1999\/xhtml|2000\/svg)|<\?xml-stylesheet/i.test(
    start,
  );
}

/**
 * What the first bytes of a file are. `head` is the file's start (`SNIFF_BYTES` of it, or all of
 * a shorter file: `isComplete`); the claimed type and the file name only name text files.
 */
export async function sniffHead(
  head: Uint8Array,
  options: { isComplete: boolean; claimedMimeType?: string; fileName?: string },
): Promise<TSniffed> {
  let detected: string | undefined;
  try {
    detected = (await fileTypeFromBuffer(head))?.mime;
  } catch {
    // A head file-type cannot parse is treated as unknown bytes.
  }
  if (detected) {
    const base = baseTypeOf(detected);
    // Keep `codecs=opus` (what WhatsApp calls its voice notes); drop anything else.
    const mimeType = detected.includes("codecs=opus") ? "audio/ogg; codecs=opus" : base;
    const family = familyOf(base);
    const isBlocked = isBlockedType(base) || (family === "text" && isActiveText(head));
    return { mimeType, category: categoryOf(base), family, isBlocked };
  }
  if (isUtf8Text(head, options.isComplete)) {
    const claimed = TEXT_TYPE_ALIASES[baseTypeOf(options.claimedMimeType ?? "")];
    const named = TEXT_TYPE_OF_EXTENSION[extensionOf(options.fileName)];
    return {
      mimeType: claimed ?? named ?? "text/plain",
      category: "document",
      family: "text",
      isBlocked: isActiveText(head),
    };
  }
  return { mimeType: "application/octet-stream", category: "document", family: "binary", isBlocked: false };
}

/** The type a file claims: its claimed type when it names one, else what its name's ending says. */
function claimOf(claimedMimeType: string | undefined, fileName: string | undefined): string | undefined {
  const claimed = baseTypeOf(claimedMimeType ?? "");
  if (/^[\w.+-]+\/[\w.+-]+$/.test(claimed) && !["application/octet-stream", "binary/octet-stream"].includes(claimed)) {
    return claimed;
  }
  return TYPE_OF_EXTENSION[extensionOf(fileName)];
}

function sameContainer(a: string, b: string): boolean {
  return a === b || SAME_CONTAINER.some((group) => group.includes(a) && group.includes(b));
}

/** Binary types `file-type` recognises: a claim of one of them that the content does not bear out is a lie. */
const KNOWN_BINARY_CLAIMS = new Set([...Object.values(TYPE_OF_EXTENSION), ...SAME_CONTAINER.flat()]);

/** Whether what the content is contradicts what the file claims to be. */
function contradicts(claim: string, real: TSniffed, fileName: string | undefined): boolean {
  const realBase = baseTypeOf(real.mimeType);
  switch (familyOf(claim)) {
    case "image":
      return real.family !== "image";
    case "audio":
    case "video":
      return real.family !== "audio" && real.family !== "video";
    case "text":
      return real.family !== "text";
    case "binary":
      // Windows names CSV files application/vnd.ms-excel: text named as text is not a lie.
      if (real.family === "text")
        return KNOWN_BINARY_CLAIMS.has(claim) && !TEXT_TYPE_OF_EXTENSION[extensionOf(fileName)];
      if (real.family !== "binary") return true;
      return (
        KNOWN_BINARY_CLAIMS.has(claim) && realBase !== "application/octet-stream" && !sameContainer(claim, realBase)
      );
  }
}

/** The kind whose player fits the content, for a file sent without one. */
function kindOfCategory(category: TMediaCategory): TMediaKind {
  return category === "document" ? "document" : category;
}

/** A/V containers seen as audio: what an audio or voice note in one is called. */
const AUDIO_IN_CONTAINER: Record<string, string> = {
  "video/webm": "audio/webm",
  "video/mp4": "audio/mp4",
  "video/3gpp": "audio/3gpp",
  "video/ogg": "audio/ogg",
};

function describeAccepted(kind: TMediaKind): string {
  const accepted = ACCEPTED_TYPES[kind];
  return accepted === "any" ? "any type" : accepted.join(", ");
}

/**
 * Checks a sniffed file against what it claims and the kind it is to be, and returns the kind
 * and the real type to record, or throws `MediaRefusedError`: `unsupported_type` for programs
 * and active content (by content, claimed type or name) and for a type the kind does not take;
 * `type_mismatch` when the content contradicts the claimed type or name, or is another kind
 * of thing than asked (a PDF as an image).
 */
export function checkSniffed(
  sniffed: TSniffed,
  expect: { kind?: TKindOrAuto; claimedMimeType?: string; fileName?: string },
): { kind: TMediaKind; mimeType: string; category: TMediaCategory } {
  const claim = claimOf(expect.claimedMimeType, expect.fileName);
  const real = sniffed.mimeType;
  if (isBlockedFileName(expect.fileName)) {
    throw new MediaRefusedError(
      "unsupported_type",
      `files named .${extensionOf(expect.fileName)} are not accepted (programs and active content are refused); the content is ${real}`,
      { real: `.${extensionOf(expect.fileName)}` },
    );
  }
  if (claim && isBlockedType(claim)) {
    throw new MediaRefusedError(
      "unsupported_type",
      `${claim} files are not accepted (programs and active content are refused); the content is ${real}`,
      { claimed: claim, real: claim },
    );
  }
  if (claim && contradicts(claim, sniffed, expect.fileName)) {
    throw new MediaRefusedError("type_mismatch", `the file claims to be ${claim} but its content is ${real}`, {
      claimed: claim,
      real,
    });
  }
  if (sniffed.isBlocked) {
    throw new MediaRefusedError(
      "unsupported_type",
      `${real === "text/plain" ? "HTML, SVG or a script" : real} is not accepted (programs and active content are refused)`,
      { real: real === "text/plain" ? "HTML, SVG, script" : real },
    );
  }
  const kind = !expect.kind || expect.kind === "auto" ? kindOfCategory(sniffed.category) : expect.kind;
  const accepted = ACCEPTED_TYPES[kind];
  let mimeType = real;
  let category = sniffed.category;
  if ((kind === "audio" || kind === "voice") && AUDIO_IN_CONTAINER[baseTypeOf(real)]) {
    mimeType = AUDIO_IN_CONTAINER[baseTypeOf(real)]!;
    category = "audio";
  }
  if (accepted !== "any" && !accepted.includes(baseTypeOf(mimeType))) {
    const wanted = kind === "sticker" ? "image" : kind === "voice" ? "audio" : kind;
    const sameThing =
      sniffed.family === wanted ||
      ((wanted === "audio" || wanted === "video") && (sniffed.family === "audio" || sniffed.family === "video"));
    throw new MediaRefusedError(
      sameThing ? "unsupported_type" : "type_mismatch",
      `a ${kind} must be ${describeAccepted(kind)}, and the content is ${real}`,
      { kind, real },
    );
  }
  return { kind, mimeType, category };
}

/**
 * Reads the first `bytes` of a stream (or all of a shorter one) without losing them: `stream`
 * gives the head again, then the rest, as it arrives. Destroying `stream` destroys the source.
 */
export async function peekHead(
  source: Readable,
  bytes: number = SNIFF_BYTES,
): Promise<{ head: Buffer; isComplete: boolean; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  const chunks: Buffer[] = [];
  let length = 0;
  let isComplete = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      isComplete = true;
      break;
    }
    const chunk = toBuffer(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const peeked = Buffer.concat(chunks);
  async function* replay() {
    try {
      if (peeked.length > 0) yield peeked;
      if (isComplete) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield toBuffer(next.value);
      }
    } finally {
      // Ended early (the store refused it, the reader went away): let the source go too.
      if (!source.readableEnded) source.destroy();
    }
  }
  return { head: peeked.subarray(0, bytes), isComplete, stream: Readable.from(replay(), { objectMode: false }) };
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === "string") return Buffer.from(chunk);
  throw new TypeError("a media source must give bytes");
}
