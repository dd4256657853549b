import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { aiTools, contextProfiles, events, profileTools, TOOL_METHODS } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError, isUniqueViolation } from "~/server/errors";
import { callHttp, renderHttpTemplate, type THttpRequest } from "~/server/flows/http";
import { domainText, serverText, type TServerText } from "~/server/i18n/domain";
import { repairStrings } from "~/server/lib/storable-text";
import { variablesOf } from "~/server/rules/templates";
import { SECRET_NAME } from "~/server/settings/secrets";
import type { TFunctionCall, TFunctionDeclaration } from "./providers";

/**
 * The AI's tools: HTTP lookups the model may call while it writes a reply (function calling).
 * A tool is a name and description for the model, its parameters as a small JSON schema
 * (string, number, integer and boolean properties), and a request template filled from the
 * model's arguments (`{{args.NAME}}`, percent-encoded in the URL) and Settings → Secrets
 * (`{{secrets.NAME}}`), sent like a flow's HTTP step: SSRF guard, no redirects, 1 MiB cap, one
 * deadline. Whatever goes wrong (bad arguments, a refused address, a timeout, a 4xx/5xx) is a
 * result the model reads (`{ error }`), never a failed reply.
 */

export const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/**
 * The built-in function a knowledge-only profile's model may call instead of answering (answer.ts):
 * the conversation goes to people, and the contact is told so. No user tool may take its name.
 */
export const HAND_OFF_TOOL = "hand_off_to_person";
export const TOOL_PARAMETER_TYPES = ["string", "number", "integer", "boolean"] as const;
export type TToolParameterType = (typeof TOOL_PARAMETER_TYPES)[number];
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_PARAMETERS = 30;
/** Characters of a call's result kept in the trace. */
export const TRACE_RESULT_CHARS = 2_000;
/** Characters of an answer's body the model reads. */
const MODEL_RESULT_CHARS = 8_000;
/** Characters of a string argument. */
const MAX_ARGUMENT_CHARS = 2_000;

export type TToolParameters = {
  type: "object";
  properties: Record<string, { type: TToolParameterType; description?: string; enum?: (string | number)[] }>;
  required?: string[];
};

/**
 * What is wrong with a parameters schema, in words the editor shows (null when it is one this
 * product accepts): an object schema whose properties are simple values, with optional
 * descriptions, enums and `required`.
 */
export function parametersProblem(value: unknown): string | TServerText | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return 'The parameters must be a JSON schema object with "type": "object".';
  }
  const schema = value as Record<string, unknown>;
  if (schema.type !== "object") return 'The parameters must be a JSON schema object with "type": "object".';
  for (const key of Object.keys(schema)) {
    if (!["type", "properties", "required", "description"].includes(key)) {
      return serverText("aiTools.schemaKey", { key });
    }
  }
  if (schema.description !== undefined && typeof schema.description !== "string") {
    return "The parameters' description must be text.";
  }
  const properties = schema.properties ?? {};
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) {
    return '"properties" must be an object of parameters.';
  }
  const entries = Object.entries(properties as Record<string, unknown>);
  if (entries.length > MAX_PARAMETERS) return serverText("aiTools.tooManyParameters", { max: MAX_PARAMETERS });
  for (const [name, raw] of entries) {
    if (!PARAMETER_NAME.test(name)) return serverText("aiTools.parameterName", { name: name.slice(0, 80) });
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      return serverText("aiTools.parameterType", { name });
    }
    const property = raw as Record<string, unknown>;
    const type = property.type;
    if (typeof type !== "string" || !(TOOL_PARAMETER_TYPES as readonly string[]).includes(type)) {
      return serverText("aiTools.parameterType", { name });
    }
    for (const key of Object.keys(property)) {
      if (!["type", "description", "enum"].includes(key)) return serverText("aiTools.parameterKey", { name, key });
    }
    if (
      property.description !== undefined &&
      (typeof property.description !== "string" || property.description.length > 500)
    ) {
      return serverText("aiTools.parameterDescription", { name });
    }
    if (property.enum !== undefined) {
      const values = property.enum;
      if (
        !Array.isArray(values) ||
        values.length === 0 ||
        values.length > 50 ||
        !values.every((item) => argumentProblem(type as TToolParameterType, item) === null)
      ) {
        return serverText("aiTools.parameterEnum", { name });
      }
    }
  }
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required) || !schema.required.every((item) => typeof item === "string")) {
      return '"required" must be a list of parameter names.';
    }
    for (const name of schema.required) {
      if (!Object.hasOwn(properties, name)) return serverText("aiTools.requiredUnknown", { name: name.slice(0, 80) });
    }
  }
  return null;
}

function argumentProblem(type: TToolParameterType, value: unknown): string | null {
  switch (type) {
    case "string":
      return typeof value === "string" && value.length <= MAX_ARGUMENT_CHARS ? null : "expected a string";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : "expected a number";
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value) ? null : "expected an integer";
    case "boolean":
      return typeof value === "boolean" ? null : "expected true or false";
  }
}

/**
 * The model's arguments checked against the tool's schema: an object, every required
 * parameter there, no unknown one, each of its type and in its enum. The problem is in English
 * for the model (it reads it and may call again), or null.
 */
export function argumentsProblem(parameters: TToolParameters, args: unknown): string | null {
  if (typeof args !== "object" || args === null || Array.isArray(args)) return "the arguments must be an object";
  const given = args as Record<string, unknown>;
  for (const name of parameters.required ?? []) {
    if (given[name] === undefined || given[name] === null) return `missing required parameter "${name}"`;
  }
  for (const [name, value] of Object.entries(given)) {
    const property = Object.hasOwn(parameters.properties, name) ? parameters.properties[name] : undefined;
    if (!property) return `unknown parameter "${name.slice(0, 80)}"`;
    if (value === null) continue;
    const problem = argumentProblem(property.type, value);
    if (problem) return `parameter "${name}": ${problem}`;
    if (property.enum && !property.enum.includes(value as string | number)) {
      return `parameter "${name}": must be one of ${property.enum.map((item) => JSON.stringify(item)).join(", ")}`;
    }
  }
  return null;
}

const ZParameters = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  const problem = parametersProblem(value);
  if (problem) {
    context.addIssue({
      code: "custom",
      message: domainText("en", problem),
      ...(typeof problem === "string" ? {} : { params: { text: problem } }),
    });
  }
});

export const ZToolInput = z
  .object({
    name: z
      .string()
      .trim()
      .regex(TOOL_NAME, "A name in lower case: letters, digits and _, starting with a letter (at most 64)")
      .refine((name) => name !== HAND_OFF_TOOL, "hand_off_to_person is the built-in hand-off; choose another name"),
    description: z
      .string()
      .trim()
      .min(1, "Describe what the tool does, for the model")
      .max(1_000, "At most 1000 characters"),
    parameters: ZParameters.default({ type: "object", properties: {} }),
    method: z.enum(TOOL_METHODS).default("GET"),
    url: z
      .string()
      .trim()
      .max(2_000, "At most 2000 characters")
      .regex(/^https?:\/\/\S+$/i, "Enter a URL starting with https:// or http://"),
    headers: z
      .array(
        z
          .object({
            name: z
              .string()
              .trim()
              .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "A header name"),
            value: z.string().trim().max(2_000, "At most 2000 characters"),
          })
          .strict(),
      )
      .max(20)
      .default([]),
    body: z.string().trim().max(20_000, "At most 20000 characters").default(""),
    timeoutMs: z
      .number()
      .int()
      .min(100, "Between 100 and 30000 milliseconds")
      .max(30_000, "Between 100 and 30000 milliseconds")
      .default(5_000),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((tool, context) => {
    // Every placeholder must be one of the tool's parameters or a secret's name.
    const declared = (tool.parameters as Partial<TToolParameters>).properties ?? {};
    const texts: [string, (string | number)[]][] = [
      [tool.url, ["url"]],
      [tool.body, ["body"]],
      ...tool.headers.map((header, index): [string, (string | number)[]] => [
        header.value,
        ["headers", index, "value"],
      ]),
    ];
    for (const [text, path] of texts) {
      for (const name of variablesOf(text)) {
        const ok = name.startsWith("args.")
          ? Object.hasOwn(declared, name.slice("args.".length))
          : name.startsWith("secrets.") && SECRET_NAME.test(name.slice("secrets.".length));
        if (!ok) {
          const text = serverText("aiTools.unknownVariable", { name: name.slice(0, 80) });
          context.addIssue({ code: "custom", message: domainText("en", text), params: { text }, path });
        }
      }
    }
  });
export type TToolInput = z.input<typeof ZToolInput>;

export type TAiTool = typeof aiTools.$inferSelect;

/** The tools, by name, each with the profiles that may call it. */
export async function listTools(db: TDbOrTx) {
  const rows = await db.select().from(aiTools).orderBy(asc(aiTools.name));
  const links = await db.select().from(profileTools);
  return rows.map((tool) => ({
    ...tool,
    profileIds: links.filter((link) => link.toolId === tool.id).map((link) => link.profileId),
  }));
}

function uniqueName(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw new AppError("CONFLICT", "A tool with this name exists already.", { name: "Choose another name" });
  }
  throw error;
}

/** Saves a tool (new when `id` is null). */
export async function saveTool(db: TDb, actor: TActor, id: string | null, input: TToolInput): Promise<TAiTool> {
  const tool = ZToolInput.parse(input);
  return db
    .transaction(async (tx) => {
      if (!id) {
        const [created] = await tx.insert(aiTools).values(tool).returning();
        await recordAudit(tx, actor, { action: "create", entity: "ai_tool", entityId: created!.id, after: created });
        return created!;
      }
      const [before] = await tx.select().from(aiTools).where(eq(aiTools.id, id)).for("update");
      if (!before) throw new AppError("NOT_FOUND", "This tool no longer exists.");
      const [updated] = await tx
        .update(aiTools)
        .set({ ...tool, updatedAt: new Date() })
        .where(eq(aiTools.id, id))
        .returning();
      await recordAudit(tx, actor, { action: "update", entity: "ai_tool", entityId: id, before, after: updated });
      return updated!;
    })
    .catch(uniqueName);
}

export async function deleteTool(db: TDb, actor: TActor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(aiTools).where(eq(aiTools.id, id)).returning();
    if (!row) throw new AppError("NOT_FOUND", "This tool no longer exists.");
    await recordAudit(tx, actor, { action: "delete", entity: "ai_tool", entityId: id, before: row });
  });
}

/** The profiles whose replies may call this tool (replaces the previous choice). */
export async function setToolProfiles(db: TDb, actor: TActor, toolId: string, profileIds: readonly string[]) {
  const wanted = [...new Set(profileIds)];
  await db.transaction(async (tx) => {
    const [tool] = await tx.select({ id: aiTools.id }).from(aiTools).where(eq(aiTools.id, toolId)).for("update");
    if (!tool) throw new AppError("NOT_FOUND", "This tool no longer exists.");
    const found =
      wanted.length === 0
        ? []
        : await tx.select({ id: contextProfiles.id }).from(contextProfiles).where(inArray(contextProfiles.id, wanted));
    if (found.length !== wanted.length) throw new AppError("NOT_FOUND", "This profile no longer exists.");
    const before = await tx.select().from(profileTools).where(eq(profileTools.toolId, toolId));
    await tx.delete(profileTools).where(eq(profileTools.toolId, toolId));
    if (wanted.length > 0) {
      await tx.insert(profileTools).values(wanted.map((profileId) => ({ profileId, toolId })));
    }
    await recordAudit(tx, actor, {
      action: "set_profiles",
      entity: "ai_tool",
      entityId: toolId,
      before: before.map((link) => link.profileId),
      after: wanted,
    });
  });
}

/** The tools a profile's replies may call (their ids). */
export async function listProfileTools(db: TDbOrTx, profileId: string): Promise<string[]> {
  const rows = await db
    .select({ toolId: profileTools.toolId })
    .from(profileTools)
    .where(eq(profileTools.profileId, profileId));
  return rows.map((row) => row.toolId);
}

/** Chooses the tools a profile's replies may call (replaces the previous choice). */
export async function setProfileTools(db: TDb, actor: TActor, profileId: string, toolIds: readonly string[]) {
  const wanted = [...new Set(toolIds)];
  await db.transaction(async (tx) => {
    const [profile] = await tx
      .select({ id: contextProfiles.id })
      .from(contextProfiles)
      .where(eq(contextProfiles.id, profileId))
      .for("update");
    if (!profile) throw new AppError("NOT_FOUND", "This profile no longer exists.");
    const found =
      wanted.length === 0 ? [] : await tx.select({ id: aiTools.id }).from(aiTools).where(inArray(aiTools.id, wanted));
    if (found.length !== wanted.length) throw new AppError("NOT_FOUND", "This tool no longer exists.");
    const before = await tx.select().from(profileTools).where(eq(profileTools.profileId, profileId));
    await tx.delete(profileTools).where(eq(profileTools.profileId, profileId));
    if (wanted.length > 0) await tx.insert(profileTools).values(wanted.map((toolId) => ({ profileId, toolId })));
    await recordAudit(tx, actor, {
      action: "set_tools",
      entity: "profile",
      entityId: profileId,
      before: before.map((link) => link.toolId),
      after: wanted,
    });
  });
}

/** The enabled tools a profile's replies may call (none without a profile). */
export async function loadProfileTools(db: TDbOrTx, profileId: string | null): Promise<TAiTool[]> {
  if (!profileId) return [];
  return db
    .select({ tool: aiTools })
    .from(profileTools)
    .innerJoin(aiTools, eq(aiTools.id, profileTools.toolId))
    .where(and(eq(profileTools.profileId, profileId), eq(aiTools.enabled, true)))
    .orderBy(asc(aiTools.name))
    .then((rows) => rows.map((row) => row.tool));
}

/** What a tool call needs from outside: whether private addresses may be called, and the secrets. */
export type TToolEnv = {
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: loopback and private networks may be called. */
  allowPrivate: boolean;
  /** Reads the secrets a tool uses (Settings → Secrets), by name. */
  loadSecrets: (names: readonly string[]) => Promise<Map<string, string>>;
};

/** One tool call as the conversation's trace shows it. */
export type TToolCall = {
  tool: string;
  args: Record<string, unknown>;
  /** The HTTP status (0: no answer: refused, timed out, unreachable, or not sent). */
  status: number;
  ok: boolean;
  error: string | null;
  /** The result the model read, as JSON, cut to TRACE_RESULT_CHARS. */
  result: string;
  ms: number;
};

function secretsUsedByTool(tool: Pick<TAiTool, "url" | "body" | "headers">): string[] {
  const texts = [tool.url, tool.body, ...tool.headers.map((header) => header.value)];
  return [
    ...new Set(
      texts
        .flatMap(variablesOf)
        .flatMap((name) => (name.startsWith("secrets.") ? [name.slice("secrets.".length)] : [])),
    ),
  ];
}

function argumentText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The request a tool makes with these arguments (secrets masked when `secrets` is null: for showing). */
export function renderToolRequest(
  tool: Pick<TAiTool, "method" | "url" | "headers" | "body">,
  args: Readonly<Record<string, unknown>>,
  secrets: ReadonlyMap<string, string> | null,
): THttpRequest {
  return renderHttpTemplate(tool, (name) => {
    if (name.startsWith("args.")) {
      const key = name.slice("args.".length);
      return Object.hasOwn(args, key) ? argumentText(args[key]) : null;
    }
    if (name.startsWith("secrets.")) {
      return secrets ? (secrets.get(name.slice("secrets.".length)) ?? null) : "••••";
    }
    return null;
  });
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Characters of a call's arguments kept in the trace. */
const TRACE_ARGS_CHARS = 2_000;

/**
 * A call as the trace stores it (jsonb): what the model sent may hold NUL characters, broken
 * UTF-16 or a megabyte; these are repaired and cut, so recording a reply never fails on them.
 */
export function storableCall(record: TToolCall): TToolCall {
  const args =
    JSON.stringify(record.args).length <= TRACE_ARGS_CHARS
      ? record.args
      : { truncated: cut(JSON.stringify(record.args), TRACE_ARGS_CHARS) };
  return repairStrings({ ...record, tool: record.tool.slice(0, 80), args }).value;
}

/**
 * Runs one tool with the model's arguments: checks them, fills the request, sends it within
 * the tool's timeout and what is left of the reply's deadline. Never throws: the outcome is a
 * response for the model (`{ status, body }` or `{ error, … }`) and a record for the trace.
 */
export async function runTool(
  tool: TAiTool,
  rawArgs: unknown,
  env: TToolEnv,
  options: { deadlineAt?: number; idempotencyKey?: string } = {},
): Promise<{ record: TToolCall; response: Record<string, unknown>; request: THttpRequest | null }> {
  const started = performance.now();
  const args =
    typeof rawArgs === "object" && rawArgs !== null && !Array.isArray(rawArgs)
      ? (rawArgs as Record<string, unknown>)
      : {};
  const finish = (response: Record<string, unknown>, status: number, request: THttpRequest | null) => {
    const error = typeof response.error === "string" ? response.error : null;
    return {
      record: storableCall({
        tool: tool.name,
        args,
        status,
        ok: error === null,
        error,
        result: cut(JSON.stringify(response), TRACE_RESULT_CHARS),
        ms: Math.round(performance.now() - started),
      }),
      response,
      request,
    };
  };
  try {
    const problem = argumentsProblem(tool.parameters as TToolParameters, rawArgs);
    if (problem) return finish({ error: `invalid_arguments: ${problem}` }, 0, null);
    const secrets = await env.loadSecrets(secretsUsedByTool(tool));
    const request = renderToolRequest(tool, args, secrets);
    const shown = renderToolRequest(tool, args, null);
    const left = options.deadlineAt === undefined ? Infinity : options.deadlineAt - Date.now();
    if (left < 50) return finish({ error: "timeout: no time left for this reply" }, 0, shown);
    const timeoutMs = Math.max(50, Math.min(tool.timeoutMs, left));
    const answer = await callHttp(request, {
      timeoutMs,
      allowPrivate: env.allowPrivate,
      idempotencyKey: options.idempotencyKey ?? randomUUID(),
      userAgent: "Switchboard-Tools/1",
    });
    const body = typeof answer.body === "string" ? cut(answer.body, MODEL_RESULT_CHARS) : answer.body;
    const bodyForModel =
      typeof body === "string" || JSON.stringify(body ?? null).length <= MODEL_RESULT_CHARS
        ? body
        : cut(JSON.stringify(body), MODEL_RESULT_CHARS);
    if (answer.error) return finish({ error: answer.error, status: answer.status }, answer.status, shown);
    if (answer.status >= 400) {
      return finish(
        { error: `http_${answer.status}`, status: answer.status, body: bodyForModel },
        answer.status,
        shown,
      );
    }
    return finish({ status: answer.status, body: bodyForModel }, answer.status, shown);
  } catch (error) {
    return finish({ error: `failed: ${(error as Error).message}`.slice(0, 500) }, 0, null);
  }
}

/** What the model is told about the tools it may call. */
export function toolDeclarations(tools: readonly TAiTool[]): TFunctionDeclaration[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
  }));
}

const HAND_OFF_DECLARATION: TFunctionDeclaration = {
  name: HAND_OFF_TOOL,
  description:
    "Pass the conversation to a person when neither the business's documents nor your other tools answer the message. Call it instead of answering; do not answer from general knowledge.",
  parameters: {
    type: "object",
    properties: { reason: { type: "string", description: "What the contact asked that you could not answer." } },
  },
};

/**
 * A reply's tools with the hand-off function added (`offerHandOff`), or null when there is
 * nothing to offer. A call to it is recorded in the trace and ends the reply's loop after its
 * round (`finished`); `handedOff` says whether it was called.
 */
export function withHandOff(
  runner: ReturnType<typeof toolRunner> | null,
  offerHandOff: boolean,
): (ReturnType<typeof toolRunner> & { finished: () => boolean; handedOff: () => boolean }) | null {
  if (!offerHandOff) return runner ? { ...runner, finished: () => false, handedOff: () => false } : null;
  let handedOff = false;
  return {
    declarations: [...(runner?.declarations ?? []), HAND_OFF_DECLARATION],
    async run(call, deadlineAt) {
      if (call.name !== HAND_OFF_TOOL) {
        if (runner) return runner.run(call, deadlineAt);
        const response = { error: `unknown_tool: there is no tool named "${call.name.slice(0, 80)}"` };
        const record = { tool: call.name, args: call.args, status: 0, ok: false, error: response.error, ms: 0 };
        return { record: storableCall({ ...record, result: JSON.stringify(response) }), response };
      }
      handedOff = true;
      const response = { handedOff: true };
      const record = { tool: HAND_OFF_TOOL, args: call.args, status: 0, ok: true, error: null, ms: 0 };
      return { record: storableCall({ ...record, result: JSON.stringify(response) }), response };
    },
    finished: () => handedOff,
    handedOff: () => handedOff,
  };
}

/** The tools of one reply, ready for the reply's loop (reply.ts). */
export function toolRunner(tools: readonly TAiTool[], env: TToolEnv, keyPrefix: string) {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  let calls = 0;
  return {
    declarations: toolDeclarations(tools),
    async run(call: TFunctionCall, deadlineAt: number) {
      calls += 1;
      const tool = byName.get(call.name);
      if (!tool) {
        const response = { error: `unknown_tool: there is no tool named "${call.name.slice(0, 80)}"` };
        const record = storableCall({
          tool: call.name,
          args: call.args,
          status: 0,
          ok: false,
          error: response.error,
          result: JSON.stringify(response),
          ms: 0,
        });
        return { record, response };
      }
      const { record, response } = await runTool(tool, call.args, env, {
        deadlineAt,
        idempotencyKey: `${keyPrefix}:${calls}`,
      });
      return { record, response };
    },
  };
}

export const ZToolTestInput = z.object({
  tool: ZToolInput,
  /** Sample arguments, as the model would send them. */
  args: z.record(z.string(), z.unknown()).default({}),
});

/** The Tools page's Test: runs the tool (as edited, saved or not) with sample arguments; no model. */
export async function testTool(input: z.input<typeof ZToolTestInput>, env: TToolEnv) {
  const { tool, args } = ZToolTestInput.parse(input);
  const now = new Date();
  const { record, response, request } = await runTool(
    { ...tool, id: randomUUID(), createdAt: now, updatedAt: now },
    args,
    env,
  );
  return { request, response, status: record.status, ok: record.ok, error: record.error, ms: record.ms };
}

/** A reply's tool calls, for the conversation's trace in the Inbox: the last AI replies that called tools. */
export async function conversationToolCalls(db: TDbOrTx, threadId: string, limit = 20) {
  const rows = await db
    .select({ id: events.id, at: events.at, messageId: events.messageId, payload: events.payload })
    .from(events)
    .where(
      and(
        eq(events.type, "ai.replied"),
        eq(events.threadId, threadId),
        sql`jsonb_typeof(${events.payload} -> 'toolCalls') = 'array' and ${events.payload} -> 'toolCalls' <> '[]'::jsonb`,
      ),
    )
    .orderBy(desc(events.at))
    .limit(limit);
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    messageId: row.messageId,
    outcome: typeof row.payload.outcome === "string" ? row.payload.outcome : null,
    calls: (row.payload.toolCalls as TToolCall[]).slice(0, 20),
  }));
}
