import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { TWwebjsClient, TWwebjsMessage, TWwebjsMessageMedia } from "./client";
import { base64Size, base64Stream, createWwebjsMediaDownloads } from "./media";

async function read(stream: NodeJS.ReadableStream) {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks;
}

function mediaMessage(id: string, download: () => Promise<TWwebjsMessageMedia | undefined>): TWwebjsMessage {
  return {
    id: { _serialized: id, fromMe: false },
    from: "14155550123@c.us",
    to: "14155550100@c.us",
    body: "",
    type: "image",
    timestamp: 0,
    fromMe: false,
    hasMedia: true,
    downloadMedia: download,
  };
}

function client(byId: Map<string, TWwebjsMessage>, lookups: string[] = []): TWwebjsClient {
  return Object.assign(new EventEmitter(), {
    initialize: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
    logout: () => Promise.resolve(),
    sendMessage: () => Promise.reject(new Error("not here")),
    getChatById: () => Promise.reject(new Error("not here")),
    getMessageById: (id: string) => {
      lookups.push(id);
      return Promise.resolve(byId.get(id) ?? null);
    },
  });
}

describe("whatsapp-web.js downloads", () => {
  it("decodes the library's base64 a slice at a time, each slice whole bytes, to the very bytes", async () => {
    for (const size of [0, 1, 2, 3, 4, 5, 1_000, 65_537]) {
      const bytes = randomBytes(size);
      const chunks = await read(base64Stream(bytes.toString("base64"), 16));
      expect(Buffer.concat(chunks).equals(bytes), `${size} bytes`).toBe(true);
      // Each push is one 16-character slice: 12 bytes (the last may be shorter).
      expect(
        chunks.slice(0, -1).every((chunk) => chunk.length === 12),
        `${size} bytes`,
      ).toBe(true);
      expect(base64Size(bytes.toString("base64")), `${size} bytes`).toBe(size);
    }
    // Line breaks (MIME-style base64) do not shift the alignment.
    const bytes = randomBytes(300);
    const wrapped = bytes.toString("base64").replace(/(.{76})/g, "$1\r\n");
    expect(Buffer.concat(await read(base64Stream(wrapped, 8))).equals(bytes)).toBe(true);
    expect(() => base64Stream("AAAA", 6)).toThrow(/multiple of 4/);
  });

  it("downloads through the message at hand, reads one it no longer has again by id, and says null when WhatsApp has nothing", async () => {
    const bytes = randomBytes(5_000);
    const media = { mimetype: "image/jpeg", data: bytes.toString("base64"), filename: "a.jpg", filesize: 5_000 };
    const downloads = createWwebjsMediaDownloads({ limit: 2 });
    const byId = new Map<string, TWwebjsMessage>();
    const lookups: string[] = [];
    const phone = client(byId, lookups);
    const signal = new AbortController().signal;

    downloads.remember(
      mediaMessage("a", () => Promise.resolve(media)),
      phone,
    );
    const first = await downloads.download(phone, "a", signal);
    expect(first).toMatchObject({ mimeType: "image/jpeg", fileName: "a.jpg", size: 5_000 });
    expect(Buffer.concat(await read(first!.stream)).equals(bytes)).toBe(true);
    expect(lookups).toEqual([]);

    // Bounded: the oldest message is let go, and read again from WhatsApp Web when needed.
    downloads.remember(
      mediaMessage("b", () => Promise.resolve(media)),
      phone,
    );
    downloads.remember(
      mediaMessage("c", () => Promise.resolve(media)),
      phone,
    );
    expect(downloads.size()).toBe(2);
    byId.set(
      "a",
      mediaMessage("a", () => Promise.resolve(media)),
    );
    const again = await downloads.download(phone, "a", signal);
    expect(Buffer.concat(await read(again!.stream)).equals(bytes)).toBe(true);
    expect(lookups).toEqual(["a"]);

    // A message of a client since restarted is read again through the current one.
    const restarted = client(byId, lookups);
    byId.set(
      "c",
      mediaMessage("c", () => Promise.resolve(media)),
    );
    const afterRestart = await downloads.download(restarted, "c", signal);
    expect(Buffer.concat(await read(afterRestart!.stream)).equals(bytes)).toBe(true);
    expect(lookups).toEqual(["a", "c"]);

    // WhatsApp no longer has the file (the library resolves undefined), or the message itself.
    downloads.remember(
      mediaMessage("expired", () => Promise.resolve(undefined)),
      phone,
    );
    expect(await downloads.download(phone, "expired", signal)).toBeNull();
    expect(await downloads.download(phone, "unknown", signal)).toBeNull();
    // No client: an error (tried again later), not "unavailable".
    await expect(downloads.download(null, "a", signal)).rejects.toThrow(/not running/);
  });

  it("gives up on a download when the job is aborted", async () => {
    const downloads = createWwebjsMediaDownloads();
    const phone = client(new Map());
    downloads.remember(
      mediaMessage("slow", () => new Promise(() => undefined)),
      phone,
    );
    const controller = new AbortController();
    const pending = downloads.download(phone, "slow", controller.signal);
    controller.abort(new Error("the job expired"));
    await expect(pending).rejects.toThrow(/the job expired/);
  });
});
