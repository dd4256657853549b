import { createHash } from "node:crypto";
import sharp from "sharp";

/**
 * Real files of each kind a contact sends, built in code (small, and distinct per `seed` so
 * content addressing never merges two tests' files): a JPEG made by sharp, an OGG/Opus voice
 * note (valid Ogg pages with correct CRCs, `OpusHead` and `OpusTags`, then audio packets), an
 * MP4 (`ftyp`, `moov`, `mdat` boxes), a PDF (header, one page, xref, trailer).
 */

/** A JPEG photo, `width` × `height`, a colour from `seed`; `noise` fills it with random pixels (a large file). */
export async function jpegBytes(seed = 1, { width = 64, height = 48, noise = false } = {}): Promise<Buffer> {
  if (noise) {
    const pixels = Buffer.alloc(width * height * 3);
    let state = seed * 2_654_435_761;
    for (let index = 0; index < pixels.length; index += 1) {
      state = (state * 1_103_515_245 + 12_345) >>> 0;
      pixels[index] = state >>> 24;
    }
    return sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 100 })
      .toBuffer();
  }
  return sharp({
    create: { width, height, channels: 3, background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: 80 } },
  })
    .jpeg()
    .toBuffer();
}

const OGG_CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let crc = index << 24;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    table[index] = crc >>> 0;
  }
  return table;
})();

function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc >>> 0;
}

/** One Ogg page holding one packet (under 255 × 255 bytes). */
function oggPage(packet: Buffer, options: { serial: number; sequence: number; granule: bigint; flags: number }) {
  const segments: number[] = [];
  let left = packet.length;
  while (left >= 255) {
    segments.push(255);
    left -= 255;
  }
  segments.push(left);
  const header = Buffer.alloc(27 + segments.length);
  header.write("OggS", 0, "latin1");
  header[4] = 0;
  header[5] = options.flags;
  header.writeBigUInt64LE(options.granule, 6);
  header.writeUInt32LE(options.serial, 14);
  header.writeUInt32LE(options.sequence, 18);
  header.writeUInt32LE(0, 22);
  header[26] = segments.length;
  Buffer.from(segments).copy(header, 27);
  const page = Buffer.concat([header, packet]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** A voice note as WhatsApp records it: OGG/Opus, mono, 48 kHz; `packets` audio packets of varied bytes. */
export function oggOpusBytes(seed = 1, packets = 20): Buffer {
  const serial = 0x5157_0000 + seed;
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "latin1");
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48_000, 12);
  head.writeInt16LE(0, 16);
  head[18] = 0; // mapping family
  const vendor = Buffer.from("switchboard-tests", "latin1");
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write("OpusTags", 0, "latin1");
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendor.length);
  const pages = [
    oggPage(head, { serial, sequence: 0, granule: 0n, flags: 0x02 }),
    oggPage(tags, { serial, sequence: 1, granule: 0n, flags: 0 }),
  ];
  for (let index = 0; index < packets; index += 1) {
    // A 20 ms SILK frame's TOC byte, then bytes that differ per seed and packet.
    const packet = Buffer.alloc(60, (seed * 31 + index * 7) % 251);
    packet[0] = 0x08;
    pages.push(
      oggPage(packet, {
        serial,
        sequence: index + 2,
        granule: BigInt((index + 1) * 960),
        flags: index === packets - 1 ? 0x04 : 0,
      }),
    );
  }
  return Buffer.concat(pages);
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, "latin1");
  return Buffer.concat([header, body]);
}

/** An MP4 video: `ftyp` (isom), a movie header box, and `mdatBytes` of media data varied by `seed`. */
export function mp4Bytes(seed = 1, mdatBytes = 4_096): Buffer {
  const ftyp = box(
    "ftyp",
    Buffer.from("isom", "latin1"),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from("isomiso2avc1mp41", "latin1"),
  );
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1_000, 12); // timescale
  mvhd.writeUInt32BE(2_000, 16); // duration: 2 s
  mvhd.writeUInt32BE(0x0001_0000, 20); // rate 1.0
  const moov = box("moov", box("mvhd", mvhd));
  const media = Buffer.alloc(mdatBytes);
  for (let index = 0; index < media.length; index += 1) media[index] = (index * 13 + seed * 101) % 256;
  return Buffer.concat([ftyp, moov, box("mdat", media)]);
}

/** A one-page PDF whose text names `seed`. */
export function pdfBytes(seed = 1): Buffer {
  const stream = `BT /F1 18 Tf 40 100 Td (Invoice ${seed}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let text = "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n";
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(text, "latin1"));
    text += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(text, "latin1");
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) text += `${String(offset).padStart(10, "0")} 00000 n \n`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(text, "latin1");
}

export function sha256Of(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
