import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MediaType } from "@whiskeysockets/baileys";

/**
 * A stand-in for WhatsApp's media servers (`mmg.whatsapp.net`) on 127.0.0.1: it serves files
 * encrypted exactly as they are stored there, by Baileys' own `encryptedStream` (a random media
 * key, expanded by HKDF with the media type's info; AES-256-CBC; the first 10 bytes of the
 * HMAC-SHA256 appended), so the real `downloadContentFromMessage` fetches and decrypts them.
 * `add` answers with what a message would carry (`url`, `directPath`, `mediaKey`, the two
 * SHA-256s, `fileLength`). Tests script what goes wrong: a file gone (404 or 410, as WhatsApp
 * answers for an expired one), failures (5xx, the next `times` requests), a tampered file, a
 * download that stalls after its first bytes. It records every request.
 *
 * Bounded: it holds at most `maxBytes` of files, and closes itself after `lifetimeMs` (or on
 * `close()`), dropping open connections, so a test that forgets it cannot keep the run alive.
 */

export type TFakeMediaFile = {
  id: string;
  /** The URL of the file, as a message's `url` (host and path; `mms3=true` as WhatsApp adds it). */
  url: string;
  /** The path on the media host, as a message's `directPath`. */
  directPath: string;
  mediaKey: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
  fileLength: number;
  mediaType: MediaType;
};

export type TFakeMediaRequest = { method: string; path: string; origin: string | null; status: number };

export type TFakeWhatsappMedia = {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  add: (bytes: Buffer, mediaType: MediaType) => Promise<TFakeMediaFile>;
  /** From now on the file answers 404 or 410 (expired on WhatsApp's side). */
  gone: (id: string, status?: 404 | 410) => void;
  /** The next `times` requests for the file fail with `status` (a server error by default). */
  fail: (id: string, options?: { status?: number; times?: number }) => void;
  /** Flips a byte of the stored ciphertext (at `at`, by default its middle): decrypts to other bytes. */
  tamper: (id: string, at?: number) => void;
  /** The file's response sends its first bytes and then waits until the connection is dropped. */
  stall: (id: string) => void;
  requests: TFakeMediaRequest[];
  close: () => Promise<void>;
};

type TStored = {
  file: TFakeMediaFile;
  encrypted: Buffer;
  gone?: number;
  failures: { status: number; times: number } | null;
  stalled: boolean;
};

/** What WhatsApp Web sends as `Origin`, which Baileys copies (`DEFAULT_ORIGIN`); the media servers refuse others. */
const WHATSAPP_ORIGIN = "https://web.whatsapp.com";
/** The size of each piece the body is written in, so the client decrypts across chunk boundaries. */
const CHUNK_BYTES = 7 * 1024 + 3;

export async function startFakeWhatsappMedia(
  options: { maxBytes?: number; lifetimeMs?: number } = {},
): Promise<TFakeWhatsappMedia> {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const files = new Map<string, TStored>();
  const requests: TFakeMediaRequest[] = [];
  let heldBytes = 0;

  const answer = (request: IncomingMessage, response: ServerResponse, status: number, body?: Buffer) => {
    requests.push({
      method: request.method ?? "",
      path: request.url ?? "",
      origin: request.headers.origin ?? null,
      status,
    });
    if (!body) {
      response.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "" : `status ${status}`);
      return;
    }
    response.writeHead(status, { "content-type": "application/octet-stream", "content-length": body.length });
    let offset = 0;
    const writeNext = () => {
      while (offset < body.length) {
        const piece = body.subarray(offset, offset + CHUNK_BYTES);
        offset += piece.length;
        if (!response.write(piece)) {
          response.once("drain", writeNext);
          return;
        }
      }
      response.end();
    };
    writeNext();
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const id = /^\/v\/t62\.\d+-24\/([\w-]+)\.enc$/.exec(path)?.[1];
    const stored = id ? files.get(id) : undefined;
    if (request.method !== "GET") return answer(request, response, 405);
    if (request.headers.origin !== WHATSAPP_ORIGIN) return answer(request, response, 403);
    if (!stored) return answer(request, response, 404);
    if (stored.gone) return answer(request, response, stored.gone);
    if (stored.failures && stored.failures.times > 0) {
      stored.failures.times -= 1;
      return answer(request, response, stored.failures.status);
    }
    if (stored.stalled) {
      requests.push({ method: "GET", path: request.url ?? "", origin: request.headers.origin ?? null, status: 200 });
      response.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": stored.encrypted.length,
      });
      response.write(stored.encrypted.subarray(0, Math.min(CHUNK_BYTES, stored.encrypted.length - 1)));
      return;
    }
    answer(request, response, 200, stored.encrypted);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    clearTimeout(lifetime);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const lifetime = setTimeout(() => void close(), options.lifetimeMs ?? 120_000);
  lifetime.unref();

  const storedOf = (id: string) => {
    const stored = files.get(id);
    if (!stored) throw new Error(`no file ${id} on the fake media server`);
    return stored;
  };

  return {
    origin,
    requests,
    close,
    async add(bytes, mediaType) {
      if (heldBytes + bytes.length > maxBytes) throw new Error("the fake media server is full");
      // The library's own encryption, as a phone does it before uploading.
      const { encryptedStream } = await import("@whiskeysockets/baileys");
      const encrypted = await encryptedStream(bytes, mediaType);
      const parts: Buffer[] = [];
      for await (const chunk of encrypted.encWriteStream) parts.push(chunk as Buffer);
      const id = `${randomBytes(8).toString("hex")}_${randomBytes(6).toString("hex")}_n`;
      const query = `ccb=11-4&oh=01_Q5Aa${randomBytes(12).toString("base64url")}&oe=${Math.floor(
        Date.now() / 1000 + 86_400 * 14,
      )
        .toString(16)
        .toUpperCase()}&_nc_sid=5e03e0`;
      const directPath = `/v/t62.7118-24/${id}.enc?${query}`;
      const file: TFakeMediaFile = {
        id,
        url: `${origin}${directPath}&mms3=true`,
        directPath,
        mediaKey: encrypted.mediaKey,
        fileSha256: encrypted.fileSha256,
        fileEncSha256: encrypted.fileEncSha256,
        fileLength: encrypted.fileLength,
        mediaType,
      };
      const body = Buffer.concat(parts);
      heldBytes += body.length;
      files.set(id, { file, encrypted: body, failures: null, stalled: false });
      return file;
    },
    gone(id, status = 410) {
      storedOf(id).gone = status;
    },
    fail(id, { status = 503, times = 1 } = {}) {
      storedOf(id).failures = { status, times };
    },
    tamper(id, at) {
      const { encrypted } = storedOf(id);
      const index = at ?? Math.floor(encrypted.length / 2);
      encrypted[index] = encrypted[index]! ^ 0xff;
    },
    stall(id) {
      storedOf(id).stalled = true;
    },
  };
}
