import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readStoredZip, writeZip, type TZipEntry } from "./zip";

async function collect(entries: TZipEntry[]): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of writeZip(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const entries = (): TZipEntry[] => [
  { name: "contact.json", open: () => [Buffer.from('{"name":"Zoë"}')] },
  { name: "media/a.bin", open: () => [Buffer.from([0, 1, 2]), Buffer.alloc(70_000, 7)] },
  { name: "empty.txt", open: () => [] },
];

describe("the export's ZIP writer", () => {
  it("[zip] writes stored entries that read back byte for byte", async () => {
    const files = readStoredZip(await collect(entries()));
    expect([...files.keys()]).toEqual(["contact.json", "media/a.bin", "empty.txt"]);
    expect(files.get("contact.json")?.toString("utf8")).toBe('{"name":"Zoë"}');
    expect(files.get("media/a.bin")).toEqual(Buffer.concat([Buffer.from([0, 1, 2]), Buffer.alloc(70_000, 7)]));
    expect(files.get("empty.txt")?.length).toBe(0);
  });

  it.skipIf(!existsSync("/usr/bin/unzip"))(
    "[zip] another reader (Info-ZIP unzip) finds the archive sound",
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "zip-test-"));
      try {
        const file = path.join(dir, "export.zip");
        writeFileSync(file, await collect(entries()));
        const tested = execFileSync("/usr/bin/unzip", ["-t", file], { encoding: "utf8" });
        expect(tested).toMatch(/No errors detected/);
        expect(execFileSync("/usr/bin/unzip", ["-p", file, "contact.json"], { encoding: "utf8" })).toBe(
          '{"name":"Zoë"}',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("[zip] a source that changes between its two reads fails rather than writing a corrupt file", async () => {
    let reads = 0;
    const changing: TZipEntry = { name: "x", open: () => [Buffer.alloc((reads += 1) * 10)] };
    await expect(collect([changing])).rejects.toThrow(/changed while it was written/);
  });
});
