import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMediaUrl, fetchMediaUrl, fileNameOfDisposition, MediaUrlError } from "./fetch-url";

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");

let server: http.Server;
let base = "";
const open = new Set<Socket>();

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/file.pdf":
        response.writeHead(200, { "content-type": "application/pdf; charset=binary", "content-length": PDF.length });
        return response.end(PDF);
      case "/named":
        response.writeHead(200, { "content-disposition": `attachment; filename*=UTF-8''recibo%20n%C2%BA1.pdf` });
        return response.end(PDF);
      case "/missing":
        response.writeHead(404);
        return response.end("no");
      case "/hop": {
        const left = Number(url.searchParams.get("n") ?? "0");
        response.writeHead(302, { location: left > 0 ? `/hop?n=${left - 1}` : "/file.pdf" });
        return response.end();
      }
      case "/to-unspecified":
        response.writeHead(307, { location: "http://0.0.0.0/secret" });
        return response.end();
      case "/big-declared":
        response.writeHead(200, { "content-length": "999999999" });
        return response.end("x");
      case "/slow-headers":
        return; // never answers
      case "/slow-body":
        response.writeHead(200, { "content-type": "application/pdf" });
        response.write(PDF.subarray(0, 8)); // then nothing more
        return;
      default:
        response.writeHead(500);
        response.end();
    }
  });
  server.on("connection", (socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of open) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function refusal(promise: Promise<unknown>): Promise<MediaUrlError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MediaUrlError);
  return error as MediaUrlError;
}

const allowed = { allowPrivate: true, timeoutMs: 2_000 };

describe("fetchMediaUrl", () => {
  it("streams the body with its claimed type and a file name from the path", async () => {
    const fetched = await fetchMediaUrl(`${base}/file.pdf`, allowed);
    expect(fetched.claimedMimeType).toBe("application/pdf");
    expect(fetched.fileName).toBe("file.pdf");
    expect(fetched.declaredSize).toBe(PDF.length);
    expect(await readAll(fetched.stream)).toEqual(PDF);
  });

  it("takes the file name from Content-Disposition", async () => {
    const fetched = await fetchMediaUrl(`${base}/named`, allowed);
    expect(fetched.fileName).toBe("recibo nº1.pdf");
    await readAll(fetched.stream);
  });

  it("follows up to three redirects and refuses the fourth", async () => {
    const fetched = await fetchMediaUrl(`${base}/hop?n=2`, allowed);
    expect(fetched.finalUrl).toBe(`${base}/file.pdf`);
    expect(await readAll(fetched.stream)).toEqual(PDF);
    expect((await refusal(fetchMediaUrl(`${base}/hop?n=3`, allowed))).code).toBe("too_many_redirects");
  });

  it("[ssrf] refuses loopback unless private networks are allowed", async () => {
    const error = await refusal(fetchMediaUrl(`${base}/file.pdf`, { allowPrivate: false, timeoutMs: 2_000 }));
    expect(error.code).toBe("refused_address");
    expect(error.message).toContain("127.0.0.1");
  });

  it("[ssrf] checks every redirect's target before connecting to it", async () => {
    // Loopback is allowed here (it stands in for a public host); 0.0.0.0 never is.
    const error = await refusal(fetchMediaUrl(`${base}/to-unspecified`, allowed));
    expect(error.code).toBe("refused_address");
    expect(error.message).toContain("0.0.0.0");
  });

  it("[ssrf] refuses a redirect to a private address when private networks are not allowed", () => {
    expect(() => checkMediaUrl("http://10.0.0.1/secret", false)).toThrow(/10\.0\.0\.1/);
    expect(() => checkMediaUrl("http://169.254.169.254/latest", false)).toThrow(MediaUrlError);
    expect(() => checkMediaUrl("http://[::ffff:127.0.0.1]/", false)).toThrow(MediaUrlError);
    expect(() => checkMediaUrl("file:///etc/passwd", true)).toThrow(MediaUrlError);
    expect(() => checkMediaUrl("http://user:pw@example.com/", true)).toThrow(MediaUrlError);
    expect(checkMediaUrl("http://10.0.0.1/secret", true).hostname).toBe("10.0.0.1");
  });

  it("says what the server answered when it is not the file", async () => {
    const error = await refusal(fetchMediaUrl(`${base}/missing`, allowed));
    expect(error.code).toBe("http_status");
    expect(error.status).toBe(404);
    expect(error.message).toContain("404");
  });

  it("refuses a declared size over the limit before reading the body", async () => {
    const error = await refusal(fetchMediaUrl(`${base}/big-declared`, { ...allowed, maxBytes: 1_000 }));
    expect(error.code).toBe("too_large");
  });

  it("times out a server that never answers", async () => {
    const started = Date.now();
    const error = await refusal(fetchMediaUrl(`${base}/slow-headers`, { allowPrivate: true, timeoutMs: 300 }));
    expect(error.code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("times out a body that stalls, failing the stream", async () => {
    const fetched = await fetchMediaUrl(`${base}/slow-body`, { allowPrivate: true, timeoutMs: 300 });
    await expect(readAll(fetched.stream)).rejects.toThrow(/No complete answer/);
    expect(fetched.failure()?.code).toBe("timeout");
  });

  it("says an unreachable host is unreachable", async () => {
    // A port nothing listens on (the server's, once closed).
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const error = await refusal(fetchMediaUrl(`http://127.0.0.1:${port}/x`, allowed));
    expect(error.code).toBe("unreachable");
  });
});

describe("fileNameOfDisposition", () => {
  it("reads plain, quoted and extended names, without paths or control characters", () => {
    expect(fileNameOfDisposition('attachment; filename="a \\"b\\".pdf"')).toBe('a "b".pdf');
    expect(fileNameOfDisposition("attachment; filename=../../etc/passwd")).toBe("passwd");
    expect(fileNameOfDisposition("attachment; filename*=UTF-8''%E2%82%AC.txt")).toBe("€.txt");
    expect(fileNameOfDisposition("attachment; filename*=UTF-8''%E2%ZZ; filename=x.txt")).toBe("x.txt");
    expect(fileNameOfDisposition('attachment; filename="a\u0000b"')).toBe("ab");
    expect(fileNameOfDisposition("inline")).toBeUndefined();
  });
});
