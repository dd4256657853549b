import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { base64OfStream } from "./transcribe";

describe("base64OfStream", () => {
  it("encodes a stream chunk by chunk to the same base64 as the whole bytes, whatever the chunk sizes", async () => {
    const bytes = randomBytes(10_001);
    for (const sizes of [[1], [2], [3], [4, 5], [7, 11, 13], [10_001]]) {
      const chunks: Buffer[] = [];
      let offset = 0;
      for (let index = 0; offset < bytes.length; index += 1) {
        const size = sizes[index % sizes.length]!;
        chunks.push(bytes.subarray(offset, offset + size));
        offset += size;
      }
      expect(await base64OfStream(Readable.from(chunks)), sizes.join(",")).toBe(bytes.toString("base64"));
    }
    expect(await base64OfStream(Readable.from([]))).toBe("");
  });
});
