import type { TUploadResponse } from "~/server/media/upload";
import type { TMediaKind } from "~/server/messages/content";
import type { TEngineCapabilities } from "~/server/sessions/engine-capabilities";
import { engineCan } from "~/server/sessions/engine-capabilities";

/** What the upload route answers for a stored file (POST /api/media/uploads, 201). */
export type TUploadedMedia = TUploadResponse;

/** The upload route refused the file (too large, not what it claims…): its message is in the user's language. */
export class UploadRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "UploadRefusedError";
  }
}

/** The upload never got an answer (offline, aborted): the caller says so in its own words. */
export class UploadFailedError extends Error {
  constructor(readonly aborted: boolean) {
    super(aborted ? "upload aborted" : "upload failed");
    this.name = "UploadFailedError";
  }
}

/**
 * Sends a file to the media store through the upload route, the raw file as the body, and
 * reports progress (0 to 1) as it goes: XMLHttpRequest, because fetch cannot report an upload's
 * progress. The server finds the real type and, with `kind` "auto", the kind.
 */
export function uploadMedia(
  file: Blob & { name?: string },
  kind: TMediaKind | "auto",
  options: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {},
): Promise<TUploadedMedia> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/media/uploads?kind=${encodeURIComponent(kind)}`);
    request.setRequestHeader("content-type", file.type || "application/octet-stream");
    if (file.name) request.setRequestHeader("x-file-name", encodeURIComponent(file.name));
    request.responseType = "json";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    request.onload = () => {
      const body = request.response as
        (TUploadedMedia & { error?: undefined }) | { error?: { code?: string; message?: string } } | null;
      if (request.status === 201 && body && !body.error) {
        resolve(body as TUploadedMedia);
        return;
      }
      const error = body?.error;
      reject(new UploadRefusedError(request.status, error?.code, error?.message ?? request.statusText));
    };
    request.onerror = () => reject(new UploadFailedError(false));
    request.onabort = () => reject(new UploadFailedError(true));
    options.signal?.addEventListener("abort", () => request.abort(), { once: true });
    request.send(file);
  });
}

/**
 * The kind a file will most likely be sent as, from the type the browser claims (the server
 * decides for good from the content): for saying early that a number cannot send it.
 */
export function likelyKind(mimeType: string): TMediaKind {
  const type = mimeType.toLowerCase();
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("video/")) return "video";
  if (type.startsWith("audio/")) return "audio";
  return "document";
}

/** The kinds an agent may attach in the composer, in the order the explanation names them. */
export const ATTACHABLE_KINDS = ["image", "video", "audio", "document"] as const satisfies readonly TMediaKind[];

/** Which attachable kinds the number's engine can send. */
export function sendableKinds(capabilities: TEngineCapabilities | null | undefined): TMediaKind[] {
  return ATTACHABLE_KINDS.filter((kind) => engineCan(capabilities, `media.${kind}`));
}

/** The first file of a drop or a paste, if exactly one file came (`many` when more did). */
export function singleFile(files: FileList | readonly File[] | null | undefined): File | "many" | null {
  const list = files ? Array.from(files) : [];
  if (list.length === 0) return null;
  return list.length > 1 ? "many" : list[0]!;
}
