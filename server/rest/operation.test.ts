import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { TDb, TTx } from "~/db/client";
import { defineOperation, type TRunContext } from "./operation";

const meta = {
  path: "/things/{id}",
  operationId: "test",
  summary: "A test operation",
  tag: "Test",
  scope: "read",
  status: 200,
  response: z.unknown(),
} as const;

const context: TRunContext = {
  db: {} as TDb,
  boss: () => Promise.reject(new Error("no boss in this test")),
  caller: { keyId: "k", name: "test", scopes: ["read"], actor: { id: null, email: 'api key "test"' } },
  linker: null,
};

const ZParams = z.object({ id: z.uuid() });
const ZQuery = z.object({ limit: z.coerce.number().int().min(1).default(50) });
const ZBody = z.object({ note: z.string().trim().nullable().default(null) });
const ID = "0b6f5a0e-8d7e-4a8c-9a6e-2f4f2c1d7b11";

describe("defineOperation", () => {
  it("gives the handler its inputs as its own schemas parse them, typed by them", async () => {
    const operation = defineOperation({
      ...meta,
      method: "post",
      params: ZParams,
      query: ZQuery,
      body: ZBody,
      handle: (input) => {
        expectTypeOf(input.params).toEqualTypeOf<{ id: string }>();
        expectTypeOf(input.query).toEqualTypeOf<{ limit: number }>();
        expectTypeOf(input.body).toEqualTypeOf<{ note: string | null }>();
        expectTypeOf(input).not.toHaveProperty("tx");
        return Promise.resolve({ params: input.params, query: input.query, body: input.body });
      },
    });
    const accepted = operation.accept({ params: { id: ID }, query: { limit: "7" }, body: { note: "  hi " } });
    expect(accepted.ok).toBe(true);
    if (!accepted.ok) return;
    expect(await accepted.run({ ...context, tx: null })).toEqual({
      params: { id: ID },
      query: { limit: 7 },
      body: { note: "hi" },
    });
  });

  it("gives `undefined` for a part without a schema, whatever the request sent", async () => {
    const operation = defineOperation({
      ...meta,
      method: "get",
      handle: (input) => {
        expectTypeOf(input.params).toEqualTypeOf<undefined>();
        expectTypeOf(input.body).toEqualTypeOf<undefined>();
        return Promise.resolve([input.params, input.query, input.body]);
      },
    });
    const accepted = operation.accept({ params: { id: "x" }, query: { a: "b" }, body: { c: 1 } });
    expect(accepted.ok && (await accepted.run({ ...context, tx: null }))).toEqual([undefined, undefined, undefined]);
  });

  it("names the first part that fails, in the order path, query, body", () => {
    const operation = defineOperation({
      ...meta,
      method: "post",
      params: ZParams,
      query: ZQuery,
      body: ZBody,
      handle: () => Promise.resolve(null),
    });
    const bad = { params: { id: "nope" }, query: { limit: "0" }, body: { note: 5 } };
    const fails = (raw: typeof bad) => {
      const accepted = operation.accept(raw);
      return accepted.ok ? null : { where: accepted.where, fields: accepted.issues.map((issue) => issue.path) };
    };
    expect(fails(bad)).toEqual({ where: "path", fields: [["id"]] });
    expect(fails({ ...bad, params: { id: ID } })).toEqual({ where: "query", fields: [["limit"]] });
    expect(fails({ ...bad, params: { id: ID }, query: { limit: "1" } })).toEqual({ where: "body", fields: [["note"]] });
  });

  it("runs an idempotent operation only in the request's transaction, which its handler gets", async () => {
    const tx = { isTx: true } as unknown as TTx;
    const operation = defineOperation({
      ...meta,
      method: "post",
      idempotent: true,
      handle: (input) => {
        expectTypeOf(input.tx).toEqualTypeOf<TTx>();
        return Promise.resolve(input.tx);
      },
    });
    expect(operation.idempotent).toBe(true);
    const accepted = operation.accept({ params: {}, query: {}, body: undefined });
    if (!accepted.ok) throw new Error("accepted nothing");
    expect(await accepted.run({ ...context, tx })).toBe(tx);
    await expect(accepted.run({ ...context, tx: null })).rejects.toThrow(/idempotent/);
  });
});
