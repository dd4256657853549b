import { crc32 } from "node:zlib";

/**
 * A minimal ZIP writer (stored entries, no compression, no ZIP64): enough for a contact's data
 * export, one JSON document and their media files, without a dependency. Each entry's bytes are
 * read twice from its source (once for the CRC-32, once to send), so nothing holds a whole file in
 * memory. Refuses an archive past 4 GiB or 65,535 entries, the classic format's limits.
 */
export type TZipEntry = {
  /** The path inside the archive (forward slashes, ASCII or UTF-8). */
  name: string;
  /** Opens the entry's bytes; called twice. */
  open: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
};

const MAX_OFFSET = 0xffff_ffff;
const MAX_ENTRIES = 0xffff;
/** 1980-01-01 00:00 in MS-DOS date and time (the format's epoch): exports do not carry file times. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8_FLAG = 0x0800;

/** Thrown when an archive would pass the classic ZIP format's limits. */
export class ZipTooLargeError extends Error {
  constructor() {
    super("the export is larger than a ZIP file without ZIP64 may hold (4 GiB, 65,535 files)");
    this.name = "ZipTooLargeError";
  }
}

function localHeader(name: Buffer, crc: number, size: number): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(UTF8_FLAG, 6);
  header.writeUInt16LE(0, 8); // stored
  header.writeUInt16LE(DOS_TIME, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  header.writeUInt32LE(crc, 14);
  header.writeUInt32LE(size, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, name]);
}

function centralHeader(name: Buffer, crc: number, size: number, offset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(UTF8_FLAG, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(DOS_TIME, 12);
  header.writeUInt16LE(DOS_DATE, 14);
  header.writeUInt32LE(crc, 16);
  header.writeUInt32LE(size, 20);
  header.writeUInt32LE(size, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt32LE(offset, 42);
  return Buffer.concat([header, name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return end;
}

/** The archive's bytes, chunk by chunk, as a reader pulls them. */
export async function* writeZip(entries: AsyncIterable<TZipEntry> | Iterable<TZipEntry>): AsyncGenerator<Uint8Array> {
  const central: Buffer[] = [];
  let offset = 0;
  for await (const entry of entries) {
    if (central.length >= MAX_ENTRIES) throw new ZipTooLargeError();
    const name = Buffer.from(entry.name, "utf8");
    let crc = 0;
    let size = 0;
    for await (const chunk of entry.open()) {
      crc = crc32(chunk, crc);
      size += chunk.length;
    }
    if (offset + 30 + name.length + size > MAX_OFFSET) throw new ZipTooLargeError();
    const header = localHeader(name, crc, size);
    central.push(centralHeader(name, crc, size, offset));
    yield header;
    let sent = 0;
    for await (const chunk of entry.open()) {
      sent += chunk.length;
      yield chunk;
    }
    // The source changed between the two reads: the archive would be corrupt.
    if (sent !== size) throw new Error(`the entry ${entry.name} changed while it was written`);
    offset += header.length + size;
  }
  const directory = Buffer.concat(central);
  if (offset + directory.length > MAX_OFFSET) throw new ZipTooLargeError();
  yield directory;
  yield endOfCentralDirectory(central.length, directory.length, offset);
}

/** Reads a stored-only ZIP made by `writeZip` (or any stored ZIP without ZIP64): name → bytes. For tests and checks. */
export function readStoredZip(archive: Buffer): Map<string, Buffer> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error("not a ZIP file: no end of central directory");
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error("not a ZIP file: bad central directory");
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extra = archive.readUInt16LE(at + 30);
    const comment = archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    if (method !== 0) throw new Error(`${name}: only stored entries are read`);
    const dataAt = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const data = archive.subarray(dataAt, dataAt + size);
    if (crc32(data) !== crc) throw new Error(`${name}: CRC-32 mismatch`);
    files.set(name, Buffer.from(data));
    at += 46 + nameLength + extra + comment;
  }
  return files;
}
