/**
 * A request's raw body, read no further than `maxBytes`: null when it is larger (refused as soon
 * as Content-Length says so, or once that many bytes have come, without buffering the rest). For
 * route handlers that must see the exact bytes (a signature over them) or bound what they hold.
 */
export async function readCappedBody(request: Request, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) return null;
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
