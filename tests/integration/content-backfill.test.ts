import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { legacyContent, repairContent, ZMessageContent } from "~/server/messages/content";
import { useTestDatabase } from "../support/database";

const VCARD = [
  "BEGIN:VCARD",
  "VERSION:3.0",
  "N:Lima;Ana;;;",
  "FN:Ana Lima",
  "item1.TEL;waid=5511999998888:+55 11 99999-8888",
  "TEL;TYPE=work:+1 415 555 0100",
  "END:VCARD",
].join("\n");

/** Rows as the first version stored them: type, body, media metadata. */
const LEGACY: [type: string, body: string, media: Record<string, unknown> | null][] = [
  ["text", "hello", null],
  ["text", "", null],
  ["image", "look at this", { mimeType: "image/jpeg", size: 12 }],
  ["image", "", { fileName: "x.jpg" }],
  ["voice", "", null],
  ["document", "", { mimeType: "application/pdf", fileName: "a.pdf", size: 2048 }],
  ["location", "Shop\nRua A, 1 (-23.55, -46.63)", null],
  ["location", "(1, 2)", null],
  ["location", "no coordinates", null],
  ["contact", `${VCARD}\n${VCARD.replace("Ana Lima", "Bo")}`, null],
  ["contact", "not a card", null],
  ["unknown", "something", null],
  ["unknown", "", null],
];

describe("the migration's backfill of messages.content", () => {
  it("gives every old row the content its type, body and media describe, as the readers do", async () => {
    const { pool } = await useTestDatabase();
    const migration = await readFile(path.join(process.cwd(), "db/migrations/0021_message_content.sql"), "utf8");
    const backfill = migration.slice(migration.indexOf("-- ==== Hand-written backfill"));
    expect(backfill).toContain('UPDATE "messages"');
    const client = await pool.connect();
    try {
      await client.query("begin");
      // The backfill's own statement, run on a table of old rows (unqualified "messages").
      await client.query("create schema legacy");
      await client.query(
        "create table legacy.messages (ord int, type text not null, body text not null, media jsonb, content jsonb)",
      );
      for (const [ord, [type, body, media]] of LEGACY.entries()) {
        await client.query("insert into legacy.messages values ($1, $2, $3, $4, null)", [
          ord,
          type,
          body,
          media && JSON.stringify(media),
        ]);
      }
      await client.query("set local search_path = legacy");
      await client.query(backfill);
      const { rows } = await client.query<{ content: unknown }>("select content from messages order by ord");
      await client.query("rollback");
      expect(rows).toHaveLength(LEGACY.length);
      for (const [index, [type, body, media]] of LEGACY.entries()) {
        const stored = rows[index]!.content;
        // Valid as it is, and the same as what a reader makes of the old row.
        expect(ZMessageContent.safeParse(stored).success, `${type} ${JSON.stringify(stored)}`).toBe(true);
        expect(stored).toEqual(repairContent(legacyContent(type, body, media ?? undefined)).content);
      }
    } finally {
      client.release();
    }
  });
});
