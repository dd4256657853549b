import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { TMediaKind } from "~/server/messages/content";
import {
  chunked,
  csvBytes,
  elfBytes,
  exeBytes,
  gifBytes,
  htmlBytes,
  jpegBytes,
  jsonBytes,
  mp3Bytes,
  mp4Bytes,
  oggOpusBytes,
  pdfBytes,
  pngBytes,
  shellScriptBytes,
  svgBytes,
  textBytes,
  wavBytes,
  webmBytes,
  webpBytes,
} from "~/tests/support/media-fixtures";
import {
  checkSniffed,
  isUtf8Text,
  MediaRefusedError,
  peekHead,
  sniffHead,
  SNIFF_BYTES,
  type TKindOrAuto,
} from "./sniff";

type TExpect = { kind?: TKindOrAuto; claimedMimeType?: string; fileName?: string };

async function sniff(bytes: Buffer, expect: TExpect = {}) {
  const { head, isComplete } = await peekHead(chunked(bytes, 700));
  return sniffHead(head, { isComplete, ...expect });
}

async function check(bytes: Buffer, expect: TExpect) {
  return checkSniffed(await sniff(bytes, expect), expect);
}

async function refusal(bytes: Buffer, expect: TExpect): Promise<MediaRefusedError> {
  try {
    await check(bytes, expect);
  } catch (error) {
    if (error instanceof MediaRefusedError) return error;
    throw error;
  }
  throw new Error("the file was accepted");
}

describe("the real type from the first bytes", () => {
  it.each([
    ["a JPEG", () => jpegBytes(), "image/jpeg", "image"],
    ["a PNG", () => pngBytes(), "image/png", "image"],
    ["a WebP", () => webpBytes(), "image/webp", "image"],
    ["a GIF", () => gifBytes(), "image/gif", "image"],
    ["an OGG/Opus voice note", () => oggOpusBytes(), "audio/ogg; codecs=opus", "audio"],
    ["an MP4", () => mp4Bytes(), "video/mp4", "video"],
    ["a WebM", () => webmBytes(), "video/webm", "video"],
    ["an MP3", () => mp3Bytes(), "audio/mpeg", "audio"],
    ["a WAV", () => wavBytes(0.2), "audio/wav", "audio"],
    ["a PDF", () => pdfBytes(), "application/pdf", "document"],
    ["plain text", () => textBytes(), "text/plain", "document"],
  ] as const)("%s is %s (%s)", async (_name, make, mimeType, category) => {
    const sniffed = await sniff(await make());
    expect(sniffed).toMatchObject({ mimeType, category, isBlocked: false });
  });

  it("names text by its claimed type or its name, never more than text", async () => {
    expect((await sniff(csvBytes(), { fileName: "contacts.csv" })).mimeType).toBe("text/csv");
    expect((await sniff(jsonBytes(), { claimedMimeType: "application/json" })).mimeType).toBe("application/json");
    expect((await sniff(textBytes(), { claimedMimeType: "text/html" })).mimeType).toBe("text/plain");
  });

  it.each([
    ["a Windows program", exeBytes, "application/x-msdownload"],
    ["a Linux program", elfBytes, "application/x-elf"],
    ["HTML", htmlBytes, "text/plain"],
    ["SVG", svgBytes, "application/xml"],
    ["a shell script", shellScriptBytes, "text/plain"],
  ] as const)("%s is blocked", async (_name, make, mimeType) => {
    expect(await sniff(make())).toMatchObject({ mimeType, isBlocked: true });
  });

  it("unknown binary bytes are an octet stream, not text", async () => {
    const sniffed = await sniff(Buffer.from([0x00, 0x01, 0x02, 0xfe, 0xff, 0x10, 0x00]));
    expect(sniffed).toMatchObject({ mimeType: "application/octet-stream", category: "document", isBlocked: false });
  });

  it("text that breaks off inside a character at the head's end is still text; invalid UTF-8 is not", () => {
    const text = Buffer.from("é".repeat(SNIFF_BYTES));
    expect(isUtf8Text(text.subarray(0, SNIFF_BYTES - 1), false)).toBe(true);
    expect(isUtf8Text(text.subarray(0, SNIFF_BYTES - 1), true)).toBe(false);
    expect(isUtf8Text(Buffer.from([0x61, 0xc3, 0x28, 0x61]), true)).toBe(false);
    expect(isUtf8Text(Buffer.from("a\u0000b"), true)).toBe(false);
  });
});

describe("what each kind accepts", () => {
  it("a PDF claimed as image/jpeg is a type mismatch naming both types", async () => {
    const error = await refusal(pdfBytes(), { kind: "image", claimedMimeType: "image/jpeg", fileName: "photo.jpg" });
    expect(error.code).toBe("type_mismatch");
    expect(error.detail).toContain("image/jpeg");
    expect(error.detail).toContain("application/pdf");
  });

  it("a PDF sent as an image without a claim is a type mismatch", async () => {
    const error = await refusal(pdfBytes(), { kind: "image" });
    expect(error.code).toBe("type_mismatch");
    expect(error.detail).toContain("application/pdf");
  });

  it("a program renamed .pdf is a type mismatch; the same program as what it is, unsupported", async () => {
    const renamed = await refusal(exeBytes(), { claimedMimeType: "application/pdf", fileName: "invoice.pdf" });
    expect(renamed.code).toBe("type_mismatch");
    expect(renamed.detail).toBe("the file claims to be application/pdf but its content is application/x-msdownload");
    // Only the name lies (no claimed type): the name's type is the claim.
    expect((await refusal(exeBytes(), { fileName: "invoice.pdf" })).code).toBe("type_mismatch");
    expect((await refusal(exeBytes(), { kind: "document" })).code).toBe("unsupported_type");
    expect((await refusal(elfBytes(), {})).code).toBe("unsupported_type");
  });

  it("HTML, SVG and scripts are refused as documents, by content, claimed type or name", async () => {
    expect((await refusal(htmlBytes(), { kind: "document" })).code).toBe("unsupported_type");
    expect((await refusal(svgBytes(), { kind: "document", claimedMimeType: "image/svg+xml" })).code).toBe(
      "unsupported_type",
    );
    expect((await refusal(svgBytes(), { kind: "document" })).code).toBe("unsupported_type");
    expect((await refusal(shellScriptBytes(), { kind: "document" })).code).toBe("unsupported_type");
    expect((await refusal(textBytes(), { kind: "document", fileName: "pay.bat" })).code).toBe("unsupported_type");
    expect((await refusal(textBytes(), { kind: "document", claimedMimeType: "text/html" })).code).toBe(
      "unsupported_type",
    );
    expect((await refusal(pdfBytes(), { kind: "document", fileName: "report.xlsm" })).code).toBe("unsupported_type");
  });

  it("within images a different exact type is no lie: the real one is recorded", async () => {
    expect(await check(await pngBytes(), { kind: "image", claimedMimeType: "image/jpeg" })).toEqual({
      kind: "image",
      mimeType: "image/png",
      category: "image",
    });
  });

  it.each<[string, () => Buffer | Promise<Buffer>, TMediaKind, string]>([
    ["a WebP sticker", () => webpBytes(), "sticker", "image/webp"],
    ["an OGG voice note", () => oggOpusBytes(), "voice", "audio/ogg; codecs=opus"],
    ["a WebM recording as a voice note", () => webmBytes(), "voice", "audio/webm"],
    ["an MP4 recording as a voice note", () => mp4Bytes(), "voice", "audio/mp4"],
    ["an MP3 as audio", () => mp3Bytes(), "audio", "audio/mpeg"],
    ["an MP4 as video", () => mp4Bytes(), "video", "video/mp4"],
    ["a JPEG as a document", () => jpegBytes(), "document", "image/jpeg"],
    ["a PDF as a document", () => pdfBytes(), "document", "application/pdf"],
  ])("accepts %s", async (_name, make, kind, mimeType) => {
    expect((await check(await make(), { kind })).mimeType).toBe(mimeType);
  });

  it.each<[string, () => Buffer | Promise<Buffer>, TMediaKind, "type_mismatch" | "unsupported_type"]>([
    ["a PNG sticker (stickers are WebP)", () => pngBytes(), "sticker", "unsupported_type"],
    ["a WAV voice note", () => wavBytes(0.2), "voice", "unsupported_type"],
    ["a WAV as an image", () => wavBytes(0.2), "image", "type_mismatch"],
    ["a JPEG as a voice note", () => jpegBytes(), "voice", "type_mismatch"],
    ["text as a video", () => textBytes(), "video", "type_mismatch"],
  ])("refuses %s", async (_name, make, kind, code) => {
    expect((await refusal(await make(), { kind })).code).toBe(code);
  });

  it("a CSV that Windows calls application/vnd.ms-excel is a CSV; text that claims to be a PDF is a lie", async () => {
    expect(
      await check(csvBytes(), { claimedMimeType: "application/vnd.ms-excel", fileName: "contacts.csv" }),
    ).toMatchObject({ kind: "document", mimeType: "text/csv" });
    expect((await refusal(textBytes(), { claimedMimeType: "application/pdf" })).code).toBe("type_mismatch");
  });

  it("without a kind the content decides", async () => {
    expect((await check(await jpegBytes(), { kind: "auto" })).kind).toBe("image");
    expect((await check(oggOpusBytes(), {})).kind).toBe("audio");
    expect((await check(mp4Bytes(), {})).kind).toBe("video");
    expect((await check(pdfBytes(), {})).kind).toBe("document");
    expect((await check(csvBytes(), { fileName: "a.csv" })).kind).toBe("document");
  });
});

describe("peekHead", () => {
  it("gives the first bytes and then every byte again, in order, across chunks", async () => {
    const bytes = await jpegBytes(800, 600);
    const { head, isComplete, stream } = await peekHead(chunked(bytes, 333));
    expect(isComplete).toBe(false);
    expect(head.equals(bytes.subarray(0, SNIFF_BYTES))).toBe(true);
    const out: Buffer[] = [];
    for await (const chunk of stream) out.push(chunk as Buffer);
    expect(Buffer.concat(out).equals(bytes)).toBe(true);
  });

  it("a file shorter than the head is read whole and marked complete", async () => {
    const { head, isComplete, stream } = await peekHead(Readable.from([Buffer.from("hi")]));
    expect([head.toString(), isComplete]).toEqual(["hi", true]);
    const out: Buffer[] = [];
    for await (const chunk of stream) out.push(chunk as Buffer);
    expect(Buffer.concat(out).toString()).toBe("hi");
  });

  it("destroying the replay destroys the source", async () => {
    const source = chunked(Buffer.alloc(100_000, 1), 1_000);
    const { stream } = await peekHead(source);
    const reader = stream[Symbol.asyncIterator]();
    await reader.next();
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source.destroyed).toBe(true);
  });

  it("a source that fails after the head fails the replay", async () => {
    async function* failing() {
      yield Buffer.alloc(SNIFF_BYTES + 10, 7);
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error("connection reset");
    }
    const { stream } = await peekHead(Readable.from(failing()));
    await expect(stream.toArray()).rejects.toThrow("connection reset");
  });
});

describe("hostile input", () => {
  const HOSTILE_STRINGS = [
    "",
    "\u0000",
    "a\u0000b.pdf",
    "\uD800.jpg",
    "../../etc/passwd",
    "x".repeat(100_000),
    "%ZZ",
    ";",
    "/",
  ];

  it("any bytes with any claim and name are taken or refused with a code, never another error", async () => {
    const { default: fc } = await import("fast-check");
    const heads = [await jpegBytes(32, 32), pdfBytes(), exeBytes(), oggOpusBytes(0.1), textBytes(), htmlBytes()];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 5_000 }),
          fc
            .tuple(fc.constantFrom(...heads), fc.nat({ max: 4_000 }), fc.uint8Array({ maxLength: 200 }))
            .map(([head, cut, tail]) => Buffer.concat([head.subarray(0, cut), tail])),
        ),
        fc.option(
          fc.oneof(fc.string(), fc.constantFrom(...HOSTILE_STRINGS, "image/jpeg", "application/pdf", "text/html")),
        ),
        fc.option(fc.oneof(fc.string(), fc.constantFrom(...HOSTILE_STRINGS, "a.exe", "b.csv", "c.pdf"))),
        fc.constantFrom<TKindOrAuto | undefined>(
          undefined,
          "auto",
          "image",
          "sticker",
          "video",
          "audio",
          "voice",
          "document",
        ),
        async (bytes, claimedMimeType, fileName, kind) => {
          const expect_ = { kind, claimedMimeType: claimedMimeType ?? undefined, fileName: fileName ?? undefined };
          const { head, isComplete } = await peekHead(Readable.from([Buffer.from(bytes)]));
          const sniffed = await sniffHead(head, { isComplete, ...expect_ });
          try {
            const checked = checkSniffed(sniffed, expect_);
            expect(checked.mimeType).toMatch(/^[\w.+-]+\/[\w.+-]+(; codecs=opus)?$/);
          } catch (error) {
            expect(error).toBeInstanceOf(MediaRefusedError);
          }
        },
      ),
      { numRuns: 400, seed: 20261206 },
    );
  });
});
