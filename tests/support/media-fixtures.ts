import { Readable } from "node:stream";
import sharp from "sharp";

/**
 * Real bytes of each media type the app meets, built in code (nothing downloaded, nothing
 * checked in): pictures made by sharp, an OGG/Opus voice note a browser plays (valid pages with
 * CRCs, Opus silence frames), a WAV that plays, the headers of MP4, WebM, MP3 and PDF files
 * (valid enough for `file-type` and for a PDF viewer), and the hostile ones: a Windows program,
 * an ELF binary, HTML, SVG, a shell script. Every fixture is exported for the other parts' tests.
 */

/** A photo-like JPEG (a gradient, so it compresses like a picture) of the given size. */
export async function jpegBytes(width = 640, height = 480, options: { orientation?: number } = {}): Promise<Buffer> {
  const image = sharp(gradient(width, height), { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 });
  return options.orientation ? image.withMetadata({ orientation: options.orientation }).toBuffer() : image.toBuffer();
}

export async function pngBytes(width = 320, height = 200): Promise<Buffer> {
  return sharp(gradient(width, height), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A WebP (also what a WhatsApp sticker is: 512 × 512). */
export async function webpBytes(width = 512, height = 512): Promise<Buffer> {
  return sharp(gradient(width, height), { raw: { width, height, channels: 3 } })
    .webp()
    .toBuffer();
}

export async function gifBytes(width = 64, height = 64): Promise<Buffer> {
  return sharp(gradient(width, height), { raw: { width, height, channels: 3 } })
    .gif()
    .toBuffer();
}

/**
 * A PNG that claims to be 30,000 × 30,000 pixels (900 megapixels) in a few hundred bytes: a
 * decompression bomb sharp must refuse to decode (its pixel limit), without failing the intake.
 */
export function pngBombBytes(width = 30_000, height = 30_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

function gradient(width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 3;
      pixels[at] = (x * 255) / width;
      pixels[at + 1] = (y * 255) / height;
      pixels[at + 2] = ((x + y) * 97) % 256;
    }
  }
  return pixels;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const CRC32_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC32_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// Ogg's CRC: polynomial 0x04c11db7, not reflected, starting at 0 (RFC 3533).
const OGG_CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let r = n << 24;
  for (let k = 0; k < 8; k += 1) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});
function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc >>> 0;
}

function oggPage(packets: Buffer[], options: { flags: number; granule: bigint; serial: number; sequence: number }) {
  const lacing: number[] = [];
  for (const packet of packets) {
    let left = packet.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
  }
  const header = Buffer.alloc(27);
  header.write("OggS", 0, "ascii");
  header[4] = 0; // version
  header[5] = options.flags;
  header.writeBigUInt64LE(options.granule, 6);
  header.writeUInt32LE(options.serial, 14);
  header.writeUInt32LE(options.sequence, 18);
  header.writeUInt32LE(0, 22); // CRC, filled below
  header[26] = lacing.length;
  const page = Buffer.concat([header, Buffer.from(lacing), ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/**
 * An OGG/Opus voice note, as WhatsApp sends them (mono, 48 kHz): OpusHead and OpusTags pages,
 * then `seconds` of 20 ms Opus silence frames. Browsers play it.
 */
export function oggOpusBytes(seconds = 1): Buffer {
  const serial = 0x5eed;
  const preSkip = 312;
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "ascii");
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(48_000, 12);
  head.writeInt16LE(0, 16);
  head[18] = 0; // mapping family
  const vendor = Buffer.from("switchboard-tests", "ascii");
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write("OpusTags", 0, "ascii");
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendor.length);
  // TOC 0xf8: CELT-only, fullband, 20 ms, mono, one frame; 0xff 0xfe: a silent frame.
  const frame = Buffer.from([0xf8, 0xff, 0xfe]);
  const frames = Math.max(1, Math.round(seconds * 50));
  const pages = [
    oggPage([head], { flags: 0x02, granule: 0n, serial, sequence: 0 }),
    oggPage([tags], { flags: 0, granule: 0n, serial, sequence: 1 }),
  ];
  let written = 0;
  let sequence = 2;
  while (written < frames) {
    const count = Math.min(50, frames - written);
    written += count;
    const isLast = written === frames;
    pages.push(
      oggPage(
        Array.from({ length: count }, () => frame),
        {
          flags: isLast ? 0x04 : 0,
          granule: BigInt(preSkip + written * 960),
          serial,
          sequence,
        },
      ),
    );
    sequence += 1;
  }
  return Buffer.concat(pages);
}

/** A WAV (PCM, 8 kHz mono) of a quiet 440 Hz tone: audio every browser plays. */
export function wavBytes(seconds = 1): Buffer {
  const rate = 8_000;
  const samples = Math.round(rate * seconds);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1)
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 3000), i * 2);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(8 + body.length);
  return Buffer.concat([size, Buffer.from(type, "ascii"), body]);
}

/**
 * The boxes of an MP4 (ISO base media) file: `ftyp` (isom, as phones write it), a `moov` with
 * its `mvhd`, and `mdat` of `payloadBytes`. What `file-type` and the store need; not a playable
 * video (that needs an encoder).
 */
export function mp4Bytes(payloadBytes = 2_048, brand = "isom"): Buffer {
  const ftyp = box(
    "ftyp",
    Buffer.from(brand.padEnd(4).slice(0, 4), "ascii"),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from("isomiso2avc1mp41", "ascii"),
  );
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1_000, 12); // timescale
  mvhd.writeUInt32BE(1_000, 16); // duration: 1 s
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  mvhd.writeUInt32BE(0x00010000, 36); // matrix
  mvhd.writeUInt32BE(0x00010000, 52);
  mvhd.writeUInt32BE(0x40000000, 68);
  mvhd.writeUInt32BE(2, 96); // next track id
  return Buffer.concat([ftyp, box("moov", box("mvhd", mvhd)), box("mdat", Buffer.alloc(payloadBytes, 0x11))]);
}

/** The start of a WebM file (EBML header, DocType "webm"), then `payloadBytes` more: what browsers record. */
export function webmBytes(payloadBytes = 2_048): Buffer {
  const element = (id: number[], data: Buffer) =>
    Buffer.concat([Buffer.from(id), Buffer.from([0x80 | data.length]), data]);
  const header = Buffer.concat([
    element([0x42, 0x86], Buffer.from([1])), // EBMLVersion
    element([0x42, 0xf7], Buffer.from([1])), // EBMLReadVersion
    element([0x42, 0xf2], Buffer.from([4])), // EBMLMaxIDLength
    element([0x42, 0xf3], Buffer.from([8])), // EBMLMaxSizeLength
    element([0x42, 0x82], Buffer.from("webm", "ascii")), // DocType
    element([0x42, 0x87], Buffer.from([4])), // DocTypeVersion
    element([0x42, 0x85], Buffer.from([2])), // DocTypeReadVersion
  ]);
  return Buffer.concat([
    Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | header.length]),
    header,
    Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // Segment, unknown size
    Buffer.alloc(payloadBytes, 0x22),
  ]);
}

/** An MP3: an ID3v2 tag, then MPEG-1 Layer III frame headers (128 kbit/s, 44.1 kHz). */
export function mp3Bytes(frames = 20): Buffer {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0]);
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([id3, ...Array.from({ length: frames }, () => frame)]);
}

/** A one-page PDF with real objects, cross-reference table and trailer (a viewer opens it). */
export function pdfBytes(text = "Receipt 42"): Buffer {
  const stream = `BT /F1 24 Tf 72 720 Td (${text.replace(/[()\\]/g, "")}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n";
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** A Windows program: the DOS stub ("MZ"), the PE signature and a COFF header. */
export function exeBytes(): Buffer {
  const bytes = Buffer.alloc(1_024);
  bytes.write("MZ", 0, "ascii");
  bytes.writeUInt32LE(0x80, 0x3c); // e_lfanew
  bytes.write("This program cannot be run in DOS mode.", 0x4e, "ascii");
  bytes.write("PE\0\0", 0x80, "latin1");
  bytes.writeUInt16LE(0x8664, 0x84); // machine: x86-64
  return bytes;
}

/** A Linux program: an ELF header (64-bit, little-endian, executable). */
export function elfBytes(): Buffer {
  const bytes = Buffer.alloc(512);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  bytes.writeUInt16LE(2, 16); // ET_EXEC
  bytes.writeUInt16LE(0x3e, 18); // x86-64
  return bytes;
}

export const htmlBytes = (): Buffer =>
  Buffer.from('<!DOCTYPE html>\n<html><body><script>fetch("/api/trpc/users.list")</script></body></html>\n');
export const svgBytes = (): Buffer =>
  Buffer.from(
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>\n',
  );
export const shellScriptBytes = (): Buffer => Buffer.from("#!/bin/sh\nrm -rf ~\n");
export const textBytes = (): Buffer => Buffer.from("Olá! The order number is 1234.\nThanks — Zoë\n");
export const csvBytes = (): Buffer =>
  Buffer.from("name,phone,city\nAna,+5511999990000,São Paulo\nJoe,+15550100,Boston\n");
export const jsonBytes = (): Buffer => Buffer.from('{"order":1234,"items":["café","pão"]}\n');

/**
 * A stream of `totalBytes` that starts with `head` and goes on with filler, made as it is read
 * (a large file without holding it): for size limits.
 */
export function streamOf(head: Buffer, totalBytes: number, chunkBytes = 64 * 1024): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= totalBytes) {
        this.push(null);
        return;
      }
      const size = Math.min(chunkBytes, totalBytes - sent);
      const chunk = Buffer.alloc(size, 0x33);
      if (sent < head.length) head.copy(chunk, 0, sent, Math.min(head.length, sent + size));
      sent += size;
      this.push(chunk);
    },
  });
}

/** A stream of the bytes in small pieces (as a network gives them), to exercise reading a head across chunks. */
export function chunked(bytes: Buffer, chunkBytes = 1_000): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) pieces.push(bytes.subarray(at, at + chunkBytes));
  return Readable.from(pieces);
}
