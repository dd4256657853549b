import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MultipartRefusal, readMultipartUpload, type TMultipartFile } from "./multipart";

const BOUNDARY = "----sbtest";

function part(name: string, value: string | Buffer, file?: { fileName: string; type?: string }): Buffer {
  const disposition = file
    ? `form-data; name="${name}"; filename="${file.fileName}"\r\nContent-Type: ${file.type ?? "application/octet-stream"}`
    : `form-data; name="${name}"`;
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n\r\n`),
    Buffer.from(value),
    Buffer.from("\r\n"),
  ]);
}

function requestOf(parts: Buffer[], options: { end?: boolean; contentType?: string } = {}): Request {
  const body = Buffer.concat([...parts, Buffer.from(options.end === false ? "" : `--${BOUNDARY}--\r\n`)]);
  return new Request("http://x/api/v1/messages", {
    method: "POST",
    headers: { "content-type": options.contentType ?? `multipart/form-data; boundary=${BOUNDARY}` },
    body,
  });
}

async function hashOf(_fields: Record<string, string>, file: TMultipartFile) {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of file.stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size, fileName: file.fileName, type: file.claimedMimeType, fields: _fields };
}

async function refusalOf(request: Request): Promise<MultipartRefusal> {
  const error = await readMultipartUpload(request, hashOf).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MultipartRefusal);
  return error as MultipartRefusal;
}

describe("readMultipartUpload", () => {
  it("gives the consumer the fields before the file, and the file's exact bytes", async () => {
    const bytes = randomBytes(300_000);
    const { fields, result } = await readMultipartUpload(
      requestOf([
        part("to", "+14155550123"),
        part("caption", "Olá €"),
        part("file", bytes, { fileName: "recibo ñ.pdf", type: "application/pdf" }),
      ]),
      hashOf,
    );
    expect(fields).toEqual({ to: "+14155550123", caption: "Olá €" });
    expect(result.fields).toEqual(fields);
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(result.size).toBe(bytes.length);
    expect(result.fileName).toBe("recibo ñ.pdf");
    expect(result.type).toBe("application/pdf");
  });

  it("refuses a missing file, a second file, a field after the file, and a file under another name", async () => {
    expect((await refusalOf(requestOf([part("to", "1")]))).field).toBe("file");
    expect(
      (await refusalOf(requestOf([part("file", "a", { fileName: "a" }), part("file", "b", { fileName: "b" })])))
        .message,
    ).toMatch(/one file/);
    expect((await refusalOf(requestOf([part("file", "a", { fileName: "a" }), part("to", "1")]))).message).toMatch(
      /before the file/,
    );
    expect((await refusalOf(requestOf([part("photo", "a", { fileName: "a" })]))).field).toBe("photo");
    expect((await refusalOf(requestOf([part("file", "just text")]))).field).toBe("file");
    expect(
      (await refusalOf(requestOf([part("to", "1"), part("to", "2"), part("file", "a", { fileName: "a" })]))).field,
    ).toBe("to");
  });

  it("refuses a body that is not multipart, has no boundary, or is cut off", async () => {
    expect((await refusalOf(requestOf([], { contentType: "multipart/form-data" }))).status).toBe(415);
    const cut = await refusalOf(
      requestOf(
        [
          part("to", "1"),
          Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc`),
        ],
        { end: false },
      ),
    );
    expect(cut.field).toBe("body");
  });

  it("refuses an oversized field and too many fields", async () => {
    expect(
      (await refusalOf(requestOf([part("caption", "x".repeat(20_000)), part("file", "a", { fileName: "a" })]))).field,
    ).toBe("caption");
    const many = Array.from({ length: 25 }, (_, index) => part(`f${index}`, "v"));
    expect((await refusalOf(requestOf([...many, part("file", "a", { fileName: "a" })]))).field).toBe("body");
  });

  it("stops the upload and passes on the consumer's error when it gives up", async () => {
    const giveUp = new Error("too large");
    const error = await readMultipartUpload(
      requestOf([part("file", randomBytes(2_000_000), { fileName: "big.bin" })]),
      async (_fields, file) => {
        for await (const chunk of file.stream) if (chunk) throw giveUp;
        return 0;
      },
    ).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBe(giveUp);
  });

  it("keeps a __proto__ field as a plain field", async () => {
    const { fields } = await readMultipartUpload(
      requestOf([part("__proto__", "x"), part("file", "a", { fileName: "a" })]),
      hashOf,
    );
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.hasOwn(fields, "__proto__")).toBe(true);
  });
});
