import { describe, expect, it } from "vitest";
import { AppError } from "~/server/errors";
import {
  detectDelimiter,
  MAX_IMPORT_ROWS,
  readCsv,
  resolveMapping,
  splitTags,
  suggestMapping,
  type TImportContext,
  validateRows,
} from "./import";

const CONTEXT: TImportContext = {
  defaultCountry: "US",
  profiles: new Map([["vip clients", { id: "7f1c9f4e-5d7a-4f0e-9a51-0c2b3d4e5f60", name: "VIP clients" }]]),
};

function check(csv: string, mapping?: Record<string, string>) {
  const table = readCsv(csv);
  const resolved = resolveMapping(table.headers, mapping as never);
  expect(resolved.error).toBeNull();
  return validateRows(table, resolved.mapping, CONTEXT);
}

describe("readCsv", () => {
  it("reads a BOM, CRLF line ends and quoted commas, quotes and line breaks", () => {
    const table = readCsv(
      '\uFEFFphone,name,notes\r\n+14155550100,"Lima, Ana","said ""hi""\r\ntwice"\r\n+14155550101,Bo,x\r\n',
    );
    expect(table.delimiter).toBe(",");
    expect(table.headers).toEqual(["phone", "name", "notes"]);
    expect(table.rows).toEqual([
      { line: 2, cells: ["+14155550100", "Lima, Ana", 'said "hi"\ntwice'] },
      { line: 4, cells: ["+14155550101", "Bo", "x"] },
    ]);
  });

  it("reports the line a row starts on, past multi-line values and blank lines", () => {
    const table = readCsv(
      'phone;notes\n\n+14155550100;"one\ntwo\nthree"\n;\n+14155550101;plain\r+14155550102;"a\r\nb"\n+14155550103;end',
    );
    expect(table.delimiter).toBe(";");
    expect(table.rows.map((row) => [row.line, row.cells[0]])).toEqual([
      [3, "+14155550100"],
      [7, "+14155550101"],
      [8, "+14155550102"],
      [10, "+14155550103"],
    ]);
  });

  it("detects comma, semicolon and tab separators from the header line", () => {
    expect(detectDelimiter("phone,name,tags")).toBe(",");
    expect(detectDelimiter("phone;name;tags")).toBe(";");
    expect(detectDelimiter("phone\tname\ttags")).toBe("\t");
    expect(detectDelimiter('"name; full",phone')).toBe(",");
    expect(detectDelimiter("phone")).toBe(",");
    expect(readCsv("phone\tname\n+14155550100\tAna").rows[0]?.cells).toEqual(["+14155550100", "Ana"]);
  });

  it("names empty and repeated headers so each column has a key", () => {
    expect(readCsv("phone,,tags,tags\n1,2,3,4").headers).toEqual(["phone", "Column 2", "tags", "tags (2)"]);
  });

  it("refuses an empty file, an unclosed quote (with its line) and too many rows", () => {
    expect(() => readCsv("\n\n")).toThrow(/empty/);
    const unclosed = (() => {
      try {
        readCsv('phone,name\n+14155550100,Ana\n\n+14155550101,"Bo\n+14155550102,Cy\n');
      } catch (error) {
        return error;
      }
    })();
    expect(unclosed).toBeInstanceOf(AppError);
    expect((unclosed as AppError).message).toMatch(/starts on line 4 is never closed/);
    const tooMany = `phone\n${"+14155550100\n".repeat(MAX_IMPORT_ROWS + 1)}`;
    expect(() => readCsv(tooMany)).toThrow(/more than 50,000 rows/);
    expect(readCsv(`phone\n${"+14155550100\n".repeat(MAX_IMPORT_ROWS)}`).rows).toHaveLength(MAX_IMPORT_ROWS);
  });
});

describe("mapping", () => {
  it("suggests targets from common header names, each target once", () => {
    expect(
      suggestMapping(["Full Name", "WhatsApp", "Mobile", "Labels", "Opted_Out", "Relationship", "Prio", "Email"]),
    ).toEqual({
      "Full Name": "name",
      WhatsApp: "phone",
      Mobile: "ignore",
      Labels: "tags",
      Opted_Out: "optedOut",
      Relationship: "relationship",
      Prio: "priority",
      Email: "ignore",
    });
  });

  it("says what makes a mapping unusable, and ignores columns a given mapping leaves out", () => {
    expect(resolveMapping(["name"], undefined).error).toBe("Choose the column that holds the phone number.");
    expect(resolveMapping(["a", "b"], { a: "phone", b: "phone" }).error).toBe(
      "Only one column can be the phone number: “a” and “b” are.",
    );
    expect(resolveMapping(["a", "b", "c"], { a: "phone", b: "tags", c: "tags" }).error).toBeNull();
    expect(resolveMapping(["a", "b"], { a: "phone" }).mapping).toEqual({ a: "phone", b: "ignore" });
    expect(() => resolveMapping(["a"], { z: "phone" })).toThrow(/no column “z”/);
  });

  it("splits tags on ; | and , without repeats", () => {
    expect(splitTags(" vip; lead|vip ,, new ")).toEqual(["vip", "lead", "new"]);
  });
});

describe("validateRows", () => {
  it("turns rows into values, empty cells into nulls (they change nothing)", () => {
    const { valid, rejected } = check(
      "phone,name,relationship,priority,tags,notes,profile,opted out,blocked\n" +
        "(415) 555-0100,Ana,Client,7,vip;lead,hello,vip CLIENTS,yes,0\n" +
        "'+1 415 555 0101,,,,,,,,\n",
    );
    expect(rejected).toEqual([]);
    expect(valid).toEqual([
      {
        line: 2,
        waId: "+14155550100",
        name: "Ana",
        relationship: "client",
        priority: 7,
        tags: ["vip", "lead"],
        notes: "hello",
        profileId: "7f1c9f4e-5d7a-4f0e-9a51-0c2b3d4e5f60",
        profileName: "VIP clients",
        optedIn: null,
        optedOut: true,
        blocked: false,
        fields: null,
      },
      {
        line: 3,
        waId: "+14155550101",
        name: null,
        relationship: null,
        priority: null,
        tags: null,
        notes: null,
        profileId: null,
        profileName: null,
        optedIn: null,
        optedOut: null,
        blocked: null,
        fields: null,
      },
    ]);
  });

  it("rejects each bad row with its line and every reason", () => {
    const { valid, rejected, sample } = check(
      [
        "phone,name,relationship,priority,profile,opted out",
        "+14155550100,Ana,,,,",
        ",No number,,,,",
        "12,Short,,,,",
        "+1 415-555-0100,Again,,,,",
        "+14155550102,Bad,cousin,-1,Nobody,maybe",
        "+14155550103,Extra,,,,,surplus",
        "+14155550104,Fine,,,,,",
      ].join("\n"),
    );
    expect(valid.map((row) => row.line)).toEqual([2, 8]);
    expect(rejected).toEqual([
      { line: 3, reason: "The number is missing.", phone: null },
      { line: 4, reason: expect.stringMatching(/^The number “12” /), phone: "12" },
      { line: 5, reason: "Same number as line 2.", phone: "+1 415-555-0100" },
      {
        line: 6,
        reason:
          "Relationship “cousin” is not one of family, friend, client, colleague, other. " +
          "Priority “-1” is not a whole number from 0 to 100. There is no profile named “Nobody”. " +
          "Opted out “maybe” is not yes or no (true/false, 1/0).",
        phone: "+14155550102",
      },
      {
        line: 7,
        reason: expect.stringMatching(/^The row has 7 values but the header has 6 columns/),
        phone: "+14155550103",
      },
    ]);
    expect(sample.map((row) => [row.line, row.phone, row.reason === null])).toEqual([
      [2, "+14155550100", true],
      [3, "", false],
      [4, "12", false],
      [5, "+14155550100", false],
      [6, "+14155550102", false],
      [7, "+14155550103", false],
      [8, "+14155550104", true],
    ]);
  });

  it("reads numbers in the default country and puts several tags columns together", () => {
    const table = readCsv("Mobile,Tag A,Tag B\n415 555 0100,a,b|a\n");
    const { mapping } = resolveMapping(table.headers, { Mobile: "phone", "Tag A": "tags", "Tag B": "tags" });
    const { valid } = validateRows(table, mapping, CONTEXT);
    expect(valid[0]).toMatchObject({ waId: "+14155550100", tags: ["a", "b"] });
  });
});
