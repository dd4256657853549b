import fc from "fast-check";
import { z } from "zod";

/**
 * Inputs for the fuzz test (tests/integration/fuzz.test.ts): values generated from a zod
 * schema's own JSON Schema (so most get past the first check and reach the code behind it),
 * and hostile values put anywhere in them.
 */

/** The seed and the number of requests: fixed by default, so a failure can be replayed. */
export function fuzzSettings(): { seed: number; runs: number; profile: boolean } {
  const seed = Number(process.env.FUZZ_SEED ?? 20261206);
  const runs = Number(process.env.FUZZ_RUNS ?? 5_000);
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(runs) || runs < 1) {
    throw new Error(
      `FUZZ_SEED and FUZZ_RUNS must be whole numbers (got ${process.env.FUZZ_SEED}, ${process.env.FUZZ_RUNS})`,
    );
  }
  return { seed, runs, profile: process.env.FUZZ_PROFILE === "1" };
}

type TJsonSchema = { [key: string]: unknown };

/** The JSON Schema of what a zod schema accepts as input (transforms and custom checks become "anything"). */
export function inputJsonSchema(schema: z.ZodType): TJsonSchema {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
}

const MiB = 1024 * 1024;
const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const SOME_UUID = "0b6f5a0e-8d7e-4a8c-9a6e-2f4f2c1d7b11";

/** Values that JSON can carry: for any field of any request. */
export const HOSTILE_JSON: readonly unknown[] = [
  "\u0000",
  "a\u0000b",
  "\uD800",
  "x\uDC00y",
  "\uDBFF\uDFFF\uD800",
  "",
  " ",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "-0",
  "0x1F",
  "9".repeat(400),
  "__proto__",
  "constructor",
  "toString",
  "'; drop table contacts; --",
  "%ZZ",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "0000-01-01T00:00:00Z",
  "-271821-04-20T00:00:00.000Z",
  "+275760-09-13T00:00:00.000Z",
  "2026-02-30",
  "0000-01-01",
  "0001-01-01",
  "9999-12-31",
  "23:59",
  "24:00",
  "Foo/Bar",
  base64({ id: SOME_UUID }),
  base64({ key: ["2026-01-01"], id: SOME_UUID }),
  base64({ key: "yesterday", id: "not-a-uuid" }),
  base64({ at: "0000-01-01T00:00:00Z", id: SOME_UUID }),
  { at: "-271821-04-20T00:00:00.000Z", id: SOME_UUID },
  { at: "0000-01-01T00:00:00Z", id: SOME_UUID },
  -0,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 63,
  -(2 ** 63),
  0.5,
  -1,
  0,
  null,
  true,
  false,
  [],
  {},
  [[[[]]]],
  JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown,
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}') as unknown,
  Array.from({ length: 2_000 }, (_, index) => index),
];

/**
 * Stands for a value nested 10,000 levels deep: neither JSON.stringify nor superjson can write
 * one (they recurse), so `toJsonText` writes it as text.
 */
export const DEEP = Object.freeze({ deeplyNested: 10_000 });
const DEEP_TEXT = `${'{"a":['.repeat(5_000)}"bottom"${"]}".repeat(5_000)}`;

/** JSON text of a value, with `DEEP` written out 10,000 levels deep. */
export function toJsonText(value: unknown): string {
  const marker = "\u0001deep\u0001";
  const text =
    JSON.stringify(value, (_key, child: unknown) =>
      child === DEEP ? marker : typeof child === "bigint" ? child.toString() : child,
    ) ?? "null";
  return text.replaceAll(JSON.stringify(marker), DEEP_TEXT);
}

/** Whether `DEEP` is somewhere in a value. */
export function containsDeep(value: unknown): boolean {
  if (value === DEEP) return true;
  if (Array.isArray(value)) return value.some(containsDeep);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value).some(containsDeep);
  }
  return false;
}

/** A string of 1 MiB (made once). */
export const HUGE_STRING = "x".repeat(MiB);

/**
 * Values only superjson (tRPC) can carry: NaN, infinities, invalid and extreme dates, bigints,
 * maps, sets, undefined.
 */
export const HOSTILE_SUPERJSON: readonly unknown[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  new Date(Number.NaN),
  new Date(8.64e15),
  new Date(-8.64e15),
  new Date("0000-01-01T00:00:00Z"),
  10n ** 30n,
  -1n,
  new Map([["a", "\u0000"]]),
  new Set(["x", "\uD800"]),
  undefined,
];

function resolveRef(root: TJsonSchema, ref: string): TJsonSchema {
  const path = ref.replace(/^#\//, "").split("/");
  let node: unknown = root;
  for (const part of path) node = (node as TJsonSchema)[part];
  return (node ?? {}) as TJsonSchema;
}

const anyValue = fc.oneof(
  { depthSize: "small" },
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);

/**
 * An arbitrary for values a JSON Schema describes (zod's output of it: objects, arrays, strings
 * with formats and patterns, numbers, enums, unions, `$ref`s). Lengths are kept short, so
 * generated requests are cheap; the hostile values bring the big ones. `ids` are UUIDs of real
 * rows, preferred for `format: uuid` so requests reach past "not found".
 */
export function arbitraryFromSchema(
  root: TJsonSchema,
  ids: readonly string[],
  schema: TJsonSchema = root,
  depth = 0,
  name = "",
): fc.Arbitrary<unknown> {
  if (depth > 8) return fc.constant(null);
  const next = (child: unknown, childName = name) =>
    arbitraryFromSchema(root, ids, (child ?? {}) as TJsonSchema, depth + 1, childName);
  if (typeof schema.$ref === "string") return next(resolveRef(root, schema.$ref));
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return fc.oneof(...options.map((option) => next(option)));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return next(schema.allOf[0]);
  const type = Array.isArray(schema.type) ? fc.constantFrom(...(schema.type as string[])) : null;
  if (type) return type.chain((one) => next({ ...schema, type: one }));
  switch (schema.type) {
    case "string":
      return PHONE_FIELDS.has(name) ? phoneArbitrary : stringArbitrary(schema, ids);
    case "integer":
    case "number": {
      const isInteger = schema.type === "integer";
      const min = Math.max(Number(schema.minimum ?? schema.exclusiveMinimum ?? -1e6), -1e9);
      const max = Math.min(Number(schema.maximum ?? schema.exclusiveMaximum ?? 1e6), 1e9);
      const low = Math.ceil(min) + (schema.exclusiveMinimum !== undefined ? 1 : 0);
      const high = Math.floor(max) - (schema.exclusiveMaximum !== undefined ? 1 : 0);
      if (low > high) return fc.constant(min);
      return isInteger
        ? fc.integer({ min: low, max: high })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      if (Array.isArray(schema.prefixItems)) {
        return fc.tuple(...(schema.prefixItems as unknown[]).map((item) => next(item)));
      }
      const minLength = Number(schema.minItems ?? 0);
      const maxLength = Math.min(Number(schema.maxItems ?? minLength + 3), minLength + 3);
      return fc.array(next(schema.items), { minLength, maxLength });
    }
    case "object":
    case undefined: {
      const properties = (schema.properties ?? null) as Record<string, unknown> | null;
      if (!properties && schema.type === undefined && schema.additionalProperties === undefined) return anyValue;
      const record = properties
        ? fc.record(Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, next(child, key)])), {
            requiredKeys: ((schema.required ?? []) as string[]).filter((key) => key in properties),
          })
        : fc.constant({});
      const extra =
        schema.additionalProperties && typeof schema.additionalProperties === "object"
          ? fc.dictionary(
              schema.propertyNames
                ? (next(schema.propertyNames) as fc.Arbitrary<string>)
                : fc.string({ maxLength: 12 }),
              next(schema.additionalProperties),
              { maxKeys: 3 },
            )
          : fc.constant({});
      return fc.tuple(record, extra).map(([known, more]) => ({ ...more, ...known }));
    }
    default:
      return anyValue;
  }
}

/** Fields that hold a phone number: mostly numbers, so requests get past the number check. */
const PHONE_FIELDS = new Set(["phone", "to", "from", "waId"]);
const phoneArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 100, max: 199 }).map((n) => `+14155550${n}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("+15551234567", "tel:+1-415-555-0123", "(415) 555-0124", "14155550125@c.us"),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

function stringArbitrary(schema: TJsonSchema, ids: readonly string[]): fc.Arbitrary<string> {
  const minLength = Number(schema.minLength ?? 0);
  const maxLength = Math.max(minLength, Math.min(Number(schema.maxLength ?? minLength + 24), minLength + 24));
  const fit = (text: string) => (text.length > maxLength ? text.slice(0, maxLength) : text);
  switch (schema.format) {
    case "uuid":
      return ids.length > 0 ? fc.oneof(fc.constantFrom(...ids), fc.uuid()) : fc.uuid();
    case "email":
      return fc.emailAddress();
    case "date-time":
      return fc
        .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true })
        .map((date) => date.toISOString());
    case "date":
      return fc
        .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10));
    case "uri":
      return fc.webUrl();
  }
  if (typeof schema.pattern === "string") {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).map(fit);
    } catch {
      // A pattern fast-check cannot generate from: plain strings.
    }
  }
  return fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ minLength, maxLength, unit: "binary" }),
    fc
      .constantFrom("+14155550123", "+15551234567", "tel:+1-415-555-0123", "hello", "Ana", "vip")
      .map((text) => (text.length >= minLength ? fit(text) : text.padEnd(minLength, "x"))),
  );
}

/** Every path (keys and indexes) of a JSON-like value, the value itself first. */
function pathsOf(value: unknown, path: (string | number)[] = [], into: (string | number)[][] = []) {
  into.push(path);
  if (into.length > 200) return into;
  if (Array.isArray(value)) value.forEach((child, index) => pathsOf(child, [...path, index], into));
  else if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, child] of Object.entries(value)) pathsOf(child, [...path, key], into);
  }
  return into;
}

/** `value` with the thing at `path` replaced (copies on the way; the root when the path is empty). */
function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...(value as unknown[])];
    copy[head as number] = replaceAt(copy[head as number], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  Object.defineProperty(copy, head as string, {
    value: replaceAt(copy[head as string], rest, replacement),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

export type THostileKind = "none" | "replace" | "taint" | "extra-field" | "huge-string" | "deep-nesting";

/** What `taint` writes into a string of an otherwise valid input. */
const TAINTS = ["\u0000", "\uD800", "a\u0000", "\uDFFF!"] as const;

/** The value at a path. */
function valueAt(value: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | null)?.[key], value);
}

/**
 * A generated input, spoiled (or not): one field (or the whole input) replaced by a hostile
 * value; a NUL or a lone surrogate written into one of its strings (the rest stays valid, so the
 * text gets as far as the database); an unknown field added; a 1 MiB string put somewhere; or
 * the input nested 10,000 deep.
 */
export function spoiled(
  valid: fc.Arbitrary<unknown>,
  hostile: readonly unknown[],
): fc.Arbitrary<{ value: unknown; kind: THostileKind }> {
  return fc
    .tuple(valid, fc.nat(), fc.nat({ max: hostile.length - 1 }), fc.nat({ max: 99 }))
    .map(([value, where, which, dice]) => {
      if (dice < 30) return { value, kind: "none" as const };
      const paths = pathsOf(value);
      const path = paths[where % paths.length]!;
      if (dice < 70) return { value: replaceAt(value, path, hostile[which]), kind: "replace" as const };
      if (dice < 85) {
        const strings = paths.filter((candidate) => typeof valueAt(value, candidate) === "string");
        const target = strings[where % Math.max(strings.length, 1)];
        if (target) {
          const text = valueAt(value, target) as string;
          const taint = TAINTS[which % TAINTS.length]!;
          const at = where % (text.length + 1);
          return {
            value: replaceAt(value, target, text.slice(0, at) + taint + text.slice(at)),
            kind: "taint" as const,
          };
        }
        return { value: replaceAt(value, path, hostile[which]), kind: "replace" as const };
      }
      if (dice < 93) {
        const target = value && typeof value === "object" && !Array.isArray(value) ? value : {};
        const extraKey = ["__proto__", "constructor", "prototype", "extra", "\u0000"][which % 5]!;
        return { value: replaceAt(target, [extraKey], hostile[which]), kind: "extra-field" as const };
      }
      if (dice < 97) return { value: replaceAt(value, path, HUGE_STRING), kind: "huge-string" as const };
      return { value: replaceAt(value, path, DEEP), kind: "deep-nesting" as const };
    });
}
