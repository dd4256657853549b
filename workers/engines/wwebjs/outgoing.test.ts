import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readBase64 } from "./outgoing";

/** A stream of `bytes` cut into chunks of the given sizes (cycled). */
function chunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i += 1) {
    const size = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks);
}

describe("readBase64: a file as the library's base64, chunk by chunk", () => {
  it.each([[[1]], [[2, 5]], [[3]], [[7, 64, 1_000]], [[65_536]]])(
    "joins chunks of %j bytes into the file's one base64 text",
    async (sizes) => {
      for (const length of [0, 1, 2, 3, 4, 1_000, 10_001]) {
        const bytes = randomBytes(length);
        expect(await readBase64(chunked(bytes, sizes))).toBe(bytes.toString("base64"));
      }
    },
  );

  it("stops reading when the send is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(readBase64(chunked(randomBytes(10), [3]), controller.signal)).rejects.toThrow();
  });
});
