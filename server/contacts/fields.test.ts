import { describe, expect, it } from "vitest";
import { applyFieldChanges, coerceFieldValue, coerceFieldValues, type TContactFieldDefinition } from "./fields";

const field = (type: TContactFieldDefinition["type"], options: string[] = []) => ({ type, options });
const ok = (value: unknown) => ({ ok: true, value });
const MEGABYTE = "9".repeat(1024 * 1024);

describe("coerceFieldValue", () => {
  it("clears on null, undefined and blank text, whatever the type", () => {
    for (const type of ["text", "number", "date", "choice", "boolean"] as const) {
      expect(coerceFieldValue(field(type, ["a"]), null)).toEqual(ok(null));
      expect(coerceFieldValue(field(type, ["a"]), undefined)).toEqual(ok(null));
      expect(coerceFieldValue(field(type, ["a"]), "   ")).toEqual(ok(null));
    }
  });

  it("[text] keeps text trimmed, writes numbers and booleans as text, refuses more than 1,000 characters", () => {
    expect(coerceFieldValue(field("text"), "  Gold plan ")).toEqual(ok("Gold plan"));
    expect(coerceFieldValue(field("text"), 12.5)).toEqual(ok("12.5"));
    expect(coerceFieldValue(field("text"), true)).toEqual(ok("true"));
    expect(coerceFieldValue(field("text"), "x".repeat(1_000))).toEqual(ok("x".repeat(1_000)));
    expect(coerceFieldValue(field("text"), "x".repeat(1_001))).toEqual({
      ok: false,
      reason: "At most 1,000 characters.",
    });
  });

  it("[number] reads 12,5 and 12.5, thousands separators, and refuses words", () => {
    expect(coerceFieldValue(field("number"), "12,5")).toEqual(ok(12.5));
    expect(coerceFieldValue(field("number"), "12.5")).toEqual(ok(12.5));
    expect(coerceFieldValue(field("number"), "-3")).toEqual(ok(-3));
    expect(coerceFieldValue(field("number"), "1,234.5")).toEqual(ok(1234.5));
    expect(coerceFieldValue(field("number"), "1.234,5")).toEqual(ok(1234.5));
    expect(coerceFieldValue(field("number"), 7)).toEqual(ok(7));
    for (const bad of ["twelve", "12abc", "1e400", "0x10", "1,2,3", Number.NaN, Number.POSITIVE_INFINITY, true])
      expect(coerceFieldValue(field("number"), bad)).toEqual({ ok: false, reason: "Enter a number, such as 12.5." });
  });

  it("[boolean] reads yes/no in English, Spanish and Portuguese", () => {
    for (const yes of ["yes", "TRUE", "sim", "sí", "si", "1", true])
      expect(coerceFieldValue(field("boolean"), yes)).toEqual(ok(true));
    for (const no of ["no", "False", "não", "nao", "0", false])
      expect(coerceFieldValue(field("boolean"), no)).toEqual(ok(false));
    expect(coerceFieldValue(field("boolean"), "maybe")).toEqual({ ok: false, reason: "Enter yes or no." });
  });

  it("[date] reads ISO and day-first dates (month-first when asked) as YYYY-MM-DD, and refuses impossible days", () => {
    expect(coerceFieldValue(field("date"), "2025-02-01")).toEqual(ok("2025-02-01"));
    expect(coerceFieldValue(field("date"), "2025-2-1")).toEqual(ok("2025-02-01"));
    expect(coerceFieldValue(field("date"), "2025-02-01T10:00:00Z")).toEqual(ok("2025-02-01"));
    expect(coerceFieldValue(field("date"), "01/02/2025")).toEqual(ok("2025-02-01"));
    expect(coerceFieldValue(field("date"), "01.02.2025")).toEqual(ok("2025-02-01"));
    expect(coerceFieldValue(field("date"), "01/02/2025", { monthFirst: true })).toEqual(ok("2025-01-02"));
    for (const bad of ["2025-02-30", "31/04/2025", "tomorrow", "2025", 20250201])
      expect(coerceFieldValue(field("date"), bad)).toEqual({ ok: false, reason: "Enter a date as YYYY-MM-DD." });
  });

  it("[choice] takes one of the options, matched without regard to case, as the option is spelt", () => {
    const plan = field("choice", ["Gold", "Silver"]);
    expect(coerceFieldValue(plan, "Gold")).toEqual(ok("Gold"));
    expect(coerceFieldValue(plan, " silver ")).toEqual(ok("Silver"));
    expect(coerceFieldValue(plan, "Bronze")).toEqual({ ok: false, reason: "Pick one of the options of the field." });
  });

  it("refuses hostile input with a clear reason: NUL, lone surrogates, a megabyte, objects", () => {
    for (const type of ["text", "number", "date", "choice", "boolean"] as const) {
      const definition = field(type, ["a"]);
      expect(coerceFieldValue(definition, "a\u0000b")).toEqual({
        ok: false,
        reason: "The value holds a character that cannot be stored.",
      });
      expect(coerceFieldValue(definition, "a\uD800b")).toEqual({
        ok: false,
        reason: "The value holds a character that cannot be stored.",
      });
      const huge = coerceFieldValue(definition, MEGABYTE);
      expect(huge.ok).toBe(false);
      expect(coerceFieldValue(definition, { a: 1 })).toEqual({
        ok: false,
        reason: "Enter a single value, not a list or an object.",
      });
      expect(coerceFieldValue(definition, ["a"])).toEqual({
        ok: false,
        reason: "Enter a single value, not a list or an object.",
      });
    }
  });
});

describe("coerceFieldValues", () => {
  const definitions: TContactFieldDefinition[] = [
    { id: "1", key: "plan", label: "Plan", type: "choice", options: ["Gold"], position: 0 },
    { id: "2", key: "age", label: "Age", type: "number", options: [], position: 1 },
  ];

  it("reports every bad value by key, unknown keys included", () => {
    expect(coerceFieldValues(definitions, { plan: "Tin", age: "x", nope: 1 })).toEqual({
      ok: false,
      errors: {
        plan: "Pick one of the options of the field.",
        age: "Enter a number, such as 12.5.",
        nope: "There is no contact field with this key.",
      },
    });
  });

  it("gives the changes to apply, null clearing a key", () => {
    const checked = coerceFieldValues(definitions, { plan: "gold", age: "" });
    expect(checked).toEqual({ ok: true, changes: { plan: "Gold", age: null } });
    expect(applyFieldChanges({ age: 3, other: true }, { plan: "Gold", age: null })).toEqual({
      plan: "Gold",
      other: true,
    });
  });
});
