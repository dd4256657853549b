import { randomUUID } from "node:crypto";
import fc from "fast-check";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter, createCaller } from "~/server/api/root";
import type { TTRPCContext } from "~/server/api/trpc";
import type { TSessionUser } from "~/server/auth/roles";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import type { TOperation } from "~/server/rest/operation";
import { OPERATIONS } from "~/server/rest/operations";
import { insertUser } from "../support/database";
import { startFakeGemini } from "../support/fake-gemini";
import { databaseFingerprint, fingerprintDifference } from "../support/fingerprint";
import {
  arbitraryFromSchema,
  containsDeep,
  fuzzSettings,
  HOSTILE_JSON,
  HOSTILE_SUPERJSON,
  inputJsonSchema,
  spoiled,
  toJsonText,
  type THostileKind,
} from "../support/fuzz";
import { usePreparedDatabase } from "../support/pipeline";
import { restClient, type TApiRequest } from "../support/rest-client";
import { testContext } from "../support/trpc-context";

/**
 * Drives every tRPC procedure (through tRPC's HTTP handler, as the browser does) and every REST
 * operation (through the real route handler, with a real API key) with inputs generated from
 * their own zod schemas, most of them spoiled with hostile values. Asserts: no 500 (and no
 * INTERNAL_SERVER_ERROR), no request hangs, every REST answer is one the OpenAPI document lists
 * (tests/support/rest-client.ts), and a refused request writes nothing (a fingerprint of every
 * table and the job queue, taken after every request and compared with the one before).
 * FUZZ_SEED and FUZZ_RUNS change the seed and the number of requests.
 */

const REQUEST_TIMEOUT_MS = 15_000;
type TRoleName = "admin" | "agent" | "manager";

type TRequest =
  | { api: "trpc"; target: string; role: TRoleName; kind: THostileKind | "raw"; input: unknown; raw?: string }
  | {
      api: "rest";
      target: string;
      key: "write" | "read" | "none";
      kind: THostileKind | "raw";
      method: string;
      path: string;
      request: TApiRequest;
    };

type TOutcome = { status: number; accepted: boolean; problem: string | null };

/** Raw tRPC bodies no client would send: broken JSON, superjson meta that is forged or hostile. */
const RAW_TRPC_BODIES = [
  "{",
  "[]",
  "null",
  '"\\u0000"',
  '{"json":{"a":"x"},"meta":{"values":{"a":["custom","nope"]}}}',
  '{"json":{"a":{"b":1}},"meta":{"referentialEqualities":{"a":["__proto__.polluted"]}}}',
  '{"json":{"a":"2026-01-01"},"meta":{"values":{"a":["Date"]}}}',
  '{"json":{"a":"garbage"},"meta":{"values":{"a":["Date"]}}}',
  '{"json":{"a":"1e400"},"meta":{"values":{"a":["bigint"]}}}',
  '{"json":{"__proto__":{"polluted":"yes"}}}',
  '{"json":{"constructor":{"prototype":{"polluted":"yes"}}}}',
  `{"json":"${"\\ud800".repeat(10)}"}`,
];

/** Raw REST requests no client would send. */
function rawRestRequests(operation: TOperation, path: string): { path: string; request: TApiRequest }[] {
  const json = { "content-type": "application/json", "idempotency-key": randomUUID() };
  return [
    { path, request: { rawBody: "{", headers: json } },
    { path, request: { rawBody: '{"to":"+14155550123","body":"x"}', headers: { "content-type": "text/plain" } } },
    { path, request: { rawBody: '{"to":"+14155550123","body":"x"}', headers: { "idempotency-key": randomUUID() } } },
    { path, request: { rawBody: `"${"x".repeat(1_100_000)}"`, headers: json } },
    {
      path,
      request: { rawBody: toJsonText({ a: JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown }), headers: json },
    },
    { path: `${path}%ZZ`, request: {} },
    { path: `${path.replace(/\/[^/]+$/, "")}/%E0%A4%A`, request: {} },
    { path: `${path}?cursor=${"%00".repeat(3)}&limit=NaN&limit=-0`, request: {} },
    { path: operation.method === "get" ? `${path}?limit=1e309` : path, request: { headers: json } },
  ];
}

/** A path segment, percent-encoded; a lone surrogate (which has no UTF-8) as the bytes of one, which no decoder accepts. */
function encodePathSegment(text: string): string {
  return text.isWellFormed() ? encodeURIComponent(text) : `${encodeURIComponent(text.toWellFormed())}%ED%A0%80`;
}

function describeRequest(request: TRequest): string {
  const input =
    request.api === "trpc"
      ? (request.raw ?? toJsonText(request.input))
      : toJsonText(request.request.body ?? request.request.rawBody ?? null);
  const where =
    request.api === "trpc"
      ? `tRPC ${request.target} as ${request.role}`
      : `REST ${request.method.toUpperCase()} ${request.path.slice(0, 200)} (${request.key} key)`;
  return `${where} [${request.kind}] ${input.slice(0, 300)}`;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms: ${what}`)),
        REQUEST_TIMEOUT_MS,
      );
    }),
  ]);
}

describe("fuzz: every REST operation and every tRPC procedure", () => {
  it("[fuzz] no 500, no hang, nothing written by a refused request", { timeout: 300_000 }, async () => {
    const { seed, runs, profile: printTimings } = fuzzSettings();
    const started = Date.now();
    const database = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    const gemini = await startFakeGemini();
    try {
      // Real rows, so generated ids reach past "not found": users, a conversation, a rule, a
      // profile, a canned reply, a webhook endpoint, API keys.
      const users: Record<TRoleName, TSessionUser> = {
        admin: await insertUser(database.db, "admin"),
        agent: await insertUser(database.db, "agent"),
        manager: await insertUser(database.db, "manager"),
      };
      const webhooks = { appSecret: "f".repeat(32), allowPrivate: false, rotationOverlapHours: 24 };
      const seedCaller = createCaller(
        testContext({
          db: database.db,
          user: users.admin,
          boss,
          webhooks: { ...webhooks, allowPrivate: true },
        }),
      );
      const stored = await ingestInbound(database.db, boss, {
        sessionId: database.sessionId,
        waMessageId: "fuzz-1",
        from: "+14155550100",
        pushName: "Fuzz",
        body: "hello",
      });
      if (stored.status !== "stored") throw new Error("no conversation to fuzz");
      const rule = await seedCaller.rules.create({
        name: "Fuzz rule",
        conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "price" }] },
        actions: [{ type: "reply", text: "Prices!" }],
      });
      await seedCaller.rules.publish({});
      const profile = await seedCaller.profiles.save({ id: null, profile: { name: "Fuzz profile" } });
      const canned = await seedCaller.inbox.saveCanned({
        id: null,
        reply: { title: "Hi", body: "Hello {{contact.name}}" },
      });
      const { endpoint } = await seedCaller.webhooks.create({ url: "http://127.0.0.1:9/fuzz" });
      const writeKey = await seedCaller.apiKeys.create({ name: "Fuzz write", scopes: ["read", "write"] });
      const readKey = await seedCaller.apiKeys.create({ name: "Fuzz read", scopes: ["read"] });
      const ids = [
        stored.threadId,
        stored.contactId,
        stored.messageId,
        rule.id,
        canned.id,
        endpoint.id,
        database.sessionId,
        users.admin.id,
        users.agent.id,
        users.manager.id,
        profile.id,
      ];

      const contexts: Record<TRoleName, TTRPCContext> = Object.fromEntries(
        (Object.keys(users) as TRoleName[]).map((role) => [
          role,
          testContext({
            db: database.db,
            user: users[role],
            boss,
            webhooks,
            appSecret: webhooks.appSecret,
            gemini: { apiKey: "fuzz-key", model: "gemini-fuzz", baseUrl: gemini.url },
          }),
        ]),
      ) as Record<TRoleName, TTRPCContext>;
      const rest = restClient({ db: database.db, boss: boss });

      // The requests, generated up front from the seed.
      const procedures = Object.entries(
        appRouter._def.procedures as unknown as Record<string, { _def: { type: string; inputs: z.ZodType[] } }>,
      );
      const restShare = Math.round(runs * 0.25);
      const perProcedure = Math.ceil((runs - restShare) / procedures.length);
      const perOperation = Math.ceil(restShare / OPERATIONS.length);
      const roleOf = (n: number): TRoleName => (n % 100 < 70 ? "admin" : n % 100 < 85 ? "agent" : "manager");
      const requests: TRequest[] = [];
      procedures.forEach(([path, procedure], index) => {
        const inputs = procedure._def.inputs;
        const schema =
          inputs.length === 0 ? null : inputs.length === 1 ? inputs[0]! : z.intersection(inputs[0]!, inputs[1]!);
        const valid = schema ? arbitraryFromSchema(inputJsonSchema(schema), ids) : fc.constant(undefined);
        const samples = fc.sample(fc.tuple(spoiled(valid, [...HOSTILE_JSON, ...HOSTILE_SUPERJSON]), fc.nat()), {
          seed: seed + index,
          numRuns: perProcedure,
        });
        samples.forEach(([{ value, kind }, dice], n) => {
          const raw = n % 25 === 24 ? RAW_TRPC_BODIES[(index + n) % RAW_TRPC_BODIES.length] : undefined;
          requests.push({ api: "trpc", target: path, role: roleOf(dice), kind: raw ? "raw" : kind, input: value, raw });
        });
      });
      OPERATIONS.forEach((operation, index) => {
        const part = (schema: z.ZodType | undefined) =>
          schema
            ? spoiled(arbitraryFromSchema(inputJsonSchema(schema), ids), HOSTILE_JSON)
            : fc.constant({ value: undefined, kind: "none" as const });
        const samples = fc.sample(
          fc.tuple(part(operation.params), part(operation.query), part(operation.body), fc.nat()),
          {
            seed: seed + 1_000 + index,
            numRuns: perOperation,
          },
        );
        samples.forEach(([params, query, body, dice], n) => {
          const values = (params.value ?? {}) as Record<string, unknown>;
          const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
            encodePathSegment(typeof values?.[name] === "string" ? values[name] : toJsonText(values?.[name])),
          );
          const search = new URLSearchParams();
          if (query.value && typeof query.value === "object") {
            for (const [name, value] of Object.entries(query.value))
              search.append(name, typeof value === "string" ? value : toJsonText(value));
          }
          const url = `${path}${[...search.keys()].length ? `?${search}` : ""}`;
          const key = dice % 100 < 80 ? "write" : dice % 100 < 95 ? "read" : "none";
          const kinds = [params.kind, query.kind, body.kind].filter((kind) => kind !== "none");
          const raws = rawRestRequests(operation, path);
          if (n % 10 === 9) {
            const picked = raws[((n / 10 + index) % raws.length) | 0]!;
            // fetch refuses a GET with a body: a GET gets the raw path and headers only.
            const raw =
              operation.method === "get" ? { path: picked.path, request: { headers: picked.request.headers } } : picked;
            requests.push({
              api: "rest",
              target: operation.operationId,
              key,
              kind: "raw",
              method: operation.method,
              ...raw,
            });
            return;
          }
          const headers: Record<string, string> =
            operation.idempotent && dice % 10 !== 0 ? { "idempotency-key": randomUUID() } : {};
          requests.push({
            api: "rest",
            target: operation.operationId,
            key,
            kind: kinds[0] ?? "none",
            method: operation.method,
            path: url,
            request: operation.body
              ? { rawBody: toJsonText(body.value ?? null), headers: { ...headers, "content-type": "application/json" } }
              : { headers },
          });
        });
      });
      // Interleave the APIs and targets deterministically, so state built by one feeds others.
      const order = fc.sample(
        fc.shuffledSubarray(
          requests.map((_, index) => index),
          { minLength: requests.length },
        ),
        { seed, numRuns: 1 },
      )[0]!;

      const keys = { write: writeKey.key, read: readKey.key, none: undefined };
      async function send(request: TRequest): Promise<TOutcome> {
        if (request.api === "rest") {
          try {
            const response = await rest(request.method, request.path, { ...request.request, key: keys[request.key] });
            return { status: response.status, accepted: response.status < 400, problem: null };
          } catch (error) {
            return { status: 0, accepted: false, problem: (error as Error).message.slice(0, 500) };
          }
        }
        const procedure = appRouter._def.procedures[
          request.target as keyof typeof appRouter._def.procedures
        ] as unknown as { _def: { type: string } };
        let text = request.raw;
        if (text === undefined && request.input !== undefined) {
          try {
            text = containsDeep(request.input)
              ? `{"json":${toJsonText(request.input)}}`
              : JSON.stringify(superjson.serialize(request.input));
          } catch {
            // superjson refuses some hostile values itself (a __proto__ key): send them as plain JSON.
            text = `{"json":${toJsonText(request.input)}}`;
          }
        }
        const url = `http://localhost/api/trpc/${request.target}`;
        const http =
          procedure._def.type === "query"
            ? new Request(text === undefined ? url : `${url}?input=${encodeURIComponent(text)}`)
            : new Request(url, {
                method: "POST",
                headers: { "content-type": "application/json" },
                ...(text === undefined ? {} : { body: text }),
              });
        const response = await fetchRequestHandler({
          endpoint: "/api/trpc",
          req: http,
          router: appRouter,
          createContext: () => contexts[request.role],
        });
        const body = await response.text();
        let code: string | undefined;
        try {
          code = (JSON.parse(body) as { error?: { json?: { data?: { code?: string } } } }).error?.json?.data?.code;
        } catch {
          return { status: response.status, accepted: false, problem: `not JSON: ${body.slice(0, 200)}` };
        }
        const problem =
          response.status >= 500 || code === "INTERNAL_SERVER_ERROR"
            ? `HTTP ${response.status} ${code}: ${body.slice(0, 300)}`
            : null;
        return { status: response.status, accepted: response.status < 400, problem };
      }

      const failures: string[] = [];
      const timings = new Map<string, number>();
      const statuses = new Map<string, number>();
      const counts = { trpc: 0, rest: 0, accepted: 0, refused: 0, hostile: 0 };
      const generated = Date.now();
      // A fingerprint costs about a millisecond (a prepared statement): one after every request,
      // so a refused request that wrote is caught exactly.
      let print = await databaseFingerprint(database.db);

      for (const index of order) {
        const request = requests[index]!;
        counts[request.api] += 1;
        if (request.kind !== "none") counts.hostile += 1;
        let outcome: TOutcome;
        const requestStarted = performance.now();
        try {
          outcome = await withTimeout(send(request), describeRequest(request));
        } catch (error) {
          outcome = { status: 0, accepted: false, problem: (error as Error).message };
        }
        const spent = performance.now() - requestStarted;
        const statusKey = `${request.target} ${outcome.status}`;
        statuses.set(statusKey, (statuses.get(statusKey) ?? 0) + 1);
        timings.set(
          `${request.target} ${request.kind}`,
          (timings.get(`${request.target} ${request.kind}`) ?? 0) + spent,
        );
        if (outcome.problem) failures.push(`${outcome.problem}\n    ← ${describeRequest(request)}`);
        const after = await databaseFingerprint(database.db);
        if (outcome.accepted) counts.accepted += 1;
        else {
          counts.refused += 1;
          if (after !== print) {
            failures.push(
              `refused (${outcome.status}) but wrote ${fingerprintDifference(print, after).join(", ")}\n    ← ${describeRequest(request)}`,
            );
          }
        }
        print = after;
        if (failures.length > 30) break;
      }
      const tried = counts.trpc + counts.rest;
      console.log(
        `fuzz: seed ${seed} — tried ${tried} requests (${counts.trpc} tRPC over ${procedures.length} procedures, ${counts.rest} REST over ${OPERATIONS.length} operations; ${counts.hostile} hostile), ${counts.accepted} accepted, ${counts.refused} refused, ${failures.length} failures, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      if (printTimings) {
        const slowest = [...timings].sort((a, b) => b[1] - a[1]).slice(0, 15);
        const total = [...timings.values()].reduce((sum, ms) => sum + ms, 0);
        console.log(
          [...statuses]
            .sort()
            .map(([what, n]) => `${what}: ${n}`)
            .join(", "),
        );
        console.log(
          `requests: ${Math.round(total)} ms in all; generation ${Math.round(generated - started)} ms\n${slowest.map(([what, ms]) => `${what}: ${Math.round(ms)} ms`).join("\n")}`,
        );
      }
      expect(failures.slice(0, 30).join("\n")).toBe("");
      expect(tried).toBeGreaterThanOrEqual(Math.min(runs, 5_000));
      // Nothing reached Object.prototype (a "__proto__" or "constructor.prototype" key merged somewhere).
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      await boss.stop({ graceful: false });
    }
  });
});
