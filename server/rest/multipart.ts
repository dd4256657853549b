import { Readable } from "node:stream";
import type { ReadableStream as TWebReadableStream } from "node:stream/web";
import busboy from "busboy";

/**
 * `multipart/form-data` for the REST API's uploads (`POST /api/v1/messages` and `/media` with a
 * file): text fields first, then ONE file part named `file`, streamed straight to the consumer
 * (the media intake) as it arrives, never held whole in memory. Fields after the file are
 * refused rather than buffering the file until they come; so is a second file, a file under
 * another name, a missing file, a repeated or oversized field, or a body that is not multipart.
 */

/** Why a multipart body was refused: the API answers `status` with this English message. */
export class MultipartRefusal extends Error {
  constructor(
    message: string,
    /** The part the message is about (`file`, a field's name, or `body`). */
    readonly field: string,
    readonly status: 400 | 415 = 400,
  ) {
    super(message);
    this.name = "MultipartRefusal";
  }
}

export type TMultipartFile = {
  stream: Readable;
  /** The part's file name, as the client gave it (only a claim). */
  fileName?: string;
  /** The part's Content-Type (only a claim). */
  claimedMimeType?: string;
};

const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 16_384;

/** Whether a content-type header says multipart/form-data. */
export function isMultipart(contentType: string | null): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "multipart/form-data";
}

/**
 * Reads a multipart request: collects its text fields, and hands the one file part, with the
 * fields read before it, to `consume` as it starts streaming. Resolves once the whole body is
 * read and `consume` has finished; rejects with a `MultipartRefusal` for a body of the wrong
 * shape, or with `consume`'s own error (after stopping the upload).
 */
export async function readMultipartUpload<T>(
  request: Request,
  consume: (fields: Record<string, string>, file: TMultipartFile) => Promise<T>,
): Promise<{ fields: Record<string, string>; result: T }> {
  const contentType = request.headers.get("content-type") ?? "";
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      limits: {
        fields: MAX_FIELDS,
        fieldSize: MAX_FIELD_BYTES,
        fieldNameSize: 100,
        parts: MAX_FIELDS + 2,
        headerPairs: 20,
      },
      defParamCharset: "utf8",
    });
  } catch {
    throw new MultipartRefusal("The body is not multipart/form-data with a boundary.", "content-type", 415);
  }
  if (!request.body)
    throw new MultipartRefusal("The body is empty: send the fields and a file part named “file”.", "file");
  const source = Readable.fromWeb(request.body as TWebReadableStream<Uint8Array>);

  const fields = new Map<string, string>();
  let consuming: Promise<T> | null = null;
  let fileStream: Readable | null = null;

  return new Promise<{ fields: Record<string, string>; result: T }>((resolve, reject) => {
    let settled = false;
    const stop = (error: Error) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.destroy();
      parser.removeAllListeners();
      // Parser errors after this (the body cut off mid-part) have nowhere to go but here.
      parser.on("error", () => undefined);
      fileStream?.destroy(error);
      // The consumer sees its stream fail; wait for it to let go before answering.
      if (consuming)
        consuming.then(
          () => reject(error),
          () => reject(error),
        );
      else reject(error);
    };
    const refuse = (message: string, field: string, status: 400 | 415 = 400) =>
      stop(new MultipartRefusal(message, field, status));

    parser.on("field", (name, value, info) => {
      if (consuming) return refuse("Send the fields before the file part: a field came after it.", name);
      if (info.nameTruncated) return refuse("A field's name is too long.", "body");
      if (info.valueTruncated) return refuse(`The field “${name}” is longer than ${MAX_FIELD_BYTES} bytes.`, name);
      if (name === "file") return refuse("“file” must be a file part (with a filename), not a text field.", "file");
      if (fields.has(name)) return refuse(`The field “${name}” is given twice.`, name);
      fields.set(name, value);
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file") {
        stream.resume();
        return refuse(`Send the file in a part named “file”, not “${name}”.`, name);
      }
      if (consuming) {
        stream.resume();
        return refuse("Send one file per request: a second file part came.", "file");
      }
      fileStream = stream;
      const snapshot = Object.fromEntries(fields);
      consuming = consume(snapshot, {
        stream,
        fileName: info.filename || undefined,
        claimedMimeType: info.mimeType && info.mimeType !== "application/octet-stream" ? info.mimeType : undefined,
      });
      // The upload stops as soon as the consumer gives up (too large, a lying type).
      consuming.catch((error: unknown) => stop(error instanceof Error ? error : new Error(String(error))));
    });
    parser.on("fieldsLimit", () => refuse(`At most ${MAX_FIELDS} fields.`, "body"));
    parser.on("partsLimit", () => refuse(`At most ${MAX_FIELDS + 1} parts.`, "body"));
    parser.on("error", (error: Error) =>
      refuse(`The multipart body is malformed (${error.message.slice(0, 200)}).`, "body"),
    );
    parser.on("close", () => {
      if (settled) return;
      if (!consuming) return refuse("Add the file, in a part named “file”.", "file");
      consuming.then(
        (result) => {
          if (settled) return;
          settled = true;
          resolve({ fields: Object.fromEntries(fields), result });
        },
        (error: unknown) => stop(error instanceof Error ? error : new Error(String(error))),
      );
    });
    source.on("error", (error) => stop(new MultipartRefusal(`The upload broke off (${error.message}).`, "body")));
    source.pipe(parser);
  });
}
