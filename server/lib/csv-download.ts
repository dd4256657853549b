/** The headers of a CSV download named `filename` (never cached: it holds people's data). */
export function csvHeaders(filename: string) {
  return {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="${filename}"`,
    "cache-control": "no-store",
  };
}

/**
 * A CSV download streamed chunk by chunk from `rows` as the client reads it; `first`, when the
 * route has already read the first chunk (to answer an error with a status rather than a broken
 * download), is sent before the rest.
 */
export function csvDownload(rows: AsyncIterator<string>, filename: string, first?: IteratorResult<string>) {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first && !first.done) controller.enqueue(encoder.encode(first.value));
    },
    async pull(controller) {
      const next = await rows.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(stream, { headers: csvHeaders(filename) });
}
