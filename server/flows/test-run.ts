import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { contacts, contextProfiles, flows } from "~/db/schema";
import type { TFlowRunOutcome } from "~/db/schema/flows";
import { fieldCoercer, loadContactFields } from "~/server/contacts/fields";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { numberedMenu, type TMessageContent } from "~/server/messages/content";
import { buildFacts } from "~/server/rules/facts";
import { loadRuleAssets } from "~/server/rules/media";
import { templateValues } from "~/server/rules/templates";
import { getOrgSettings } from "~/server/settings/settings";
import { ZFlowDefinition, type TFlowStep } from "./definition";
import { callHttp, renderRequest, secretsUsedBy } from "./http";
import {
  advanceFlow,
  compileFlow,
  mergeTags,
  newRunState,
  type TCompiledFlow,
  type TFlowContext,
  type TFlowEffects,
  type TFlowInput as TRunInput,
  type TTraceEntry,
} from "./run";
import { ZFlowState, type TFlowState, type TFlowValue } from "./state";

/**
 * The flow editor's test panel: the DRAFT of a flow (`flows.definition`) run by the same
 * interpreter as the pipeline, one input at a time, as a real contact (their name, phone and
 * fields) or a sample one, on an engine with buttons or with the numbered menu. The state goes
 * back and forth with the caller; HTTP steps are called at once (the SSRF guard and the secrets
 * as in production); nothing is written (no run, no message, no field, no tag).
 */

const ZFlowValue = z.union([z.string().max(4_096), z.number(), z.boolean(), z.null()]);

export const ZFlowTestInput = z.object({
  flowId: z.uuid(),
  /** Run as this contact (their name, phone and fields); null: a sample contact. */
  contactId: z.uuid().nullable().default(null),
  /** An engine with buttons and lists (the Cloud API), or the numbered menu most engines show. */
  buttons: z.boolean().default(false),
  /** What the previous call returned (null: a new run). */
  state: ZFlowState.extend({ vars: z.record(z.string().max(80), ZFlowValue) })
    .refine((state) => Object.keys(state.vars).length <= 200, "At most 200 variables")
    .nullable()
    .default(null),
  /** Contact field values the test set so far (a set step), kept by the caller since nothing is saved. */
  fields: z
    .record(z.string().max(80), ZFlowValue)
    .refine((fields) => Object.keys(fields).length <= 200, "At most 200 fields")
    .default({}),
  input: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("start") }),
    z.object({ kind: z.literal("message"), text: z.string().max(4_096, "At most 4,096 characters") }),
    z.object({ kind: z.literal("choose"), optionId: z.string().min(1).max(256) }),
    z.object({ kind: z.literal("deadline") }),
  ]),
});
export type TFlowTestInput = z.input<typeof ZFlowTestInput>;

/** A reply as the contact would see it on the engine chosen. */
export type TTestReply =
  | { kind: "text"; stepId: string; text: string }
  | {
      kind: "choice";
      stepId: string;
      text: string;
      style: "buttons" | "list";
      options: { id: string; title: string; description?: string }[];
    }
  | { kind: "media"; stepId: string; mediaKind: string; caption: string; fileName: string | null }
  | { kind: "ai"; stepId: string };

export type TFlowTestResult = {
  replies: TTestReply[];
  trace: TTraceEntry[];
  /** The run's variables after this input. */
  variables: Record<string, TFlowValue>;
  /** Contact fields set so far (pass back as `fields`). */
  fields: Record<string, TFlowValue>;
  /** Tags the steps added and removed. */
  tags: { add: string[]; remove: string[] };
  /** Pass back as `state` with the next input; null once the run ended. */
  state: TFlowState | null;
  /** The step the run stands on (or ended on). */
  stepId: string | null;
  waiting: "answer" | "delay" | "ended";
  deadline: string | null;
  ended: { outcome: TFlowRunOutcome; stepId: string | null; reason: string | null } | null;
  handoff: { note: string; variables: Record<string, TFlowValue> } | null;
  /** A go-to-flow step: the flow that would start next (a test stops there). */
  gotoFlowId: string | null;
};

export type TFlowTestOptions = {
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: whether HTTP steps may call loopback and private networks. */
  allowPrivate: boolean;
  /** The secrets an HTTP step uses, by name (Settings → Secrets). */
  loadSecrets: (names: readonly string[]) => Promise<Map<string, string>>;
};

/** HTTP steps called in one test move at most (a flow that loops on requests ends as failed). */
export const MAX_TEST_REQUESTS = 10;

const SAMPLE_CONTACT = { name: "Test contact", phone: "+15550000000", relationship: "other" } as const;

/** Runs one input of a test of the flow's draft. */
export async function testFlowStep(
  db: TDbOrTx,
  raw: TFlowTestInput,
  options: TFlowTestOptions,
): Promise<TFlowTestResult> {
  const input = ZFlowTestInput.parse(raw);
  const [row] = await db
    .select({ id: flows.id, name: flows.name, definition: flows.definition })
    .from(flows)
    .where(eq(flows.id, input.flowId));
  if (!row) throw new AppError("NOT_FOUND", "This flow no longer exists.");
  const parsed = ZFlowDefinition.safeParse(row.definition);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const index = issue.path[0] === "steps" && typeof issue.path[1] === "number" ? issue.path[1] : null;
    const stepId = index !== null ? (row.definition.steps as { id?: unknown }[] | undefined)?.[index]?.id : null;
    throw new AppError(
      "BAD_REQUEST",
      typeof stepId === "string"
        ? serverText("flowRuns.draftBrokenAt", { step: stepId.slice(0, 40) })
        : "The draft has a problem: fix it in the editor before testing.",
    );
  }
  const definition = parsed.data;
  if (definition.start === null) throw new AppError("BAD_REQUEST", "The flow has no start step yet.");
  if (input.input.kind !== "start" && !input.state) throw new AppError("BAD_REQUEST", "Start the test first.");
  if (input.state && input.state.flowId !== row.id)
    throw new AppError("BAD_REQUEST", "This test belongs to another flow: start it again.");

  const flow = compileFlow({ flowId: row.id, version: 0, name: row.name, definition });
  const settings = await getOrgSettings(db);
  const contact = input.contactId ? await loadContact(db, input.contactId) : null;
  const [profile] = await db
    .select()
    .from(contextProfiles)
    .where(contact?.profileId ? eq(contextProfiles.id, contact.profileId) : eq(contextProfiles.isDefault, true))
    .limit(1);
  const fieldDefinitions = new Map((await loadContactFields(db)).map((field) => [field.key, field] as const));
  const assetIds = definition.steps.flatMap((step) =>
    step.type === "send" && step.mediaAssetId ? [step.mediaAssetId] : [],
  );
  const assets = await loadRuleAssets(db, assetIds);
  const now = new Date();
  const who = contact ?? { ...SAMPLE_CONTACT, fields: {}, priority: 0, tags: [], optedOut: false, firstSeenAt: now };
  const fields: Record<string, TFlowValue> = { ...who.fields, ...input.fields };
  const text = input.input.kind === "message" ? input.input.text : "";
  const context: TFlowContext = {
    now,
    timeZone: settings.timeZone,
    defaultCountry: settings.defaultCountry,
    facts: buildFacts({
      message: { body: text, type: "text", hasMedia: false, isFirst: false, sentiment: "neutral" },
      contact: {
        name: who.name,
        relationship: who.relationship,
        priority: who.priority,
        tags: who.tags,
        profileName: profile?.name ?? null,
        optedOut: who.optedOut,
        firstSeenAt: who.firstSeenAt,
        messageCount: 2,
      },
      thread: { mode: "bot", messageCount: 2, lastBotReplyAt: null, topics: [], sentiment: "neutral" },
      now,
      timeZone: settings.timeZone,
      businessHours: settings.businessHours,
    }),
    fields,
    template: templateValues({ name: who.name, phone: who.phone, relationship: who.relationship }, profile),
    coerceField: fieldCoercer(fieldDefinitions),
    assets,
    messageId: input.input.kind === "message" || input.input.kind === "choose" ? "test-message" : null,
  };

  const state = input.input.kind === "start" || !input.state ? newRunState(flow, randomUUID(), now) : input.state;
  const first = runInput(flow, state, input.input);
  const collected = collect();
  let moved = advanceFlow(flow, state, first, context);
  collected.add(moved.effects, input.buttons);
  let requests = 0;
  while (moved.state && moved.state.wait === "http") {
    requests += 1;
    if (requests > MAX_TEST_REQUESTS) {
      const { stepId, vars } = moved.state;
      return collected.result({ state: null, failed: { stepId, reason: "too_many_requests", variables: vars } });
    }
    const step = flow.steps.get(moved.state.stepId);
    if (!step || step.type !== "http") break;
    const secrets = await options.loadSecrets(secretsUsedBy(step));
    const request = renderRequest(step, { vars: moved.state.vars, context, secrets });
    const answer = await callHttp(request, {
      timeoutMs: step.timeoutMs,
      allowPrivate: options.allowPrivate,
      idempotencyKey: `test:${moved.state.runId}:${moved.state.token}`,
    });
    moved = advanceFlow(flow, moved.state, { kind: "http", ...answer }, context);
    collected.add(moved.effects, input.buttons);
  }
  return collected.result({ state: moved.state, failed: null });
}

async function loadContact(db: TDbOrTx, contactId: string) {
  const [contact] = await db
    .select({
      name: contacts.name,
      phone: contacts.waId,
      relationship: contacts.relationship,
      priority: contacts.priority,
      tags: contacts.tags,
      optedOut: contacts.optedOut,
      fields: contacts.fields,
      firstSeenAt: contacts.firstSeenAt,
      profileId: contacts.profileId,
    })
    .from(contacts)
    .where(eq(contacts.id, contactId));
  if (!contact) throw new AppError("NOT_FOUND", "This contact no longer exists.");
  return contact;
}

/** The test panel's input as the interpreter's: a tapped option is the button (or list row) reply. */
function runInput(flow: TCompiledFlow, state: TFlowState, input: z.output<typeof ZFlowTestInput>["input"]): TRunInput {
  switch (input.kind) {
    case "start":
      return { kind: "start" };
    case "deadline":
      return { kind: "deadline" };
    case "message":
      return {
        kind: "message",
        messageId: "test-message",
        text: input.text,
        content: { kind: "text", text: input.text },
      };
    case "choose": {
      const step: TFlowStep | undefined = flow.steps.get(state.stepId);
      const option = step?.type === "ask" ? step.choices?.options.find((o) => o.id === input.optionId) : undefined;
      const title = option?.title ?? input.optionId;
      const content: TMessageContent =
        step?.type === "ask" && step.choices?.style === "list"
          ? { kind: "list_reply", id: input.optionId, title }
          : { kind: "button_reply", id: input.optionId, title };
      return { kind: "message", messageId: "test-message", text: title, content };
    }
  }
}

/** What the moves of one test call said and did, put together. */
function collect() {
  const replies: TTestReply[] = [];
  const trace: TTraceEntry[] = [];
  const fields: Record<string, TFlowValue> = {};
  const tags = { add: [] as string[], remove: [] as string[] };
  let ended: TFlowEffects["ended"] = null;
  let handoff: TFlowTestResult["handoff"] = null;
  let gotoFlowId: string | null = null;
  let lastVariables: Record<string, TFlowValue> = {};
  return {
    add(effects: TFlowEffects, buttons: boolean) {
      for (const reply of effects.replies) replies.push(asSeen(reply, buttons));
      for (const ai of effects.aiReplies) replies.push({ kind: "ai", stepId: ai.stepId });
      trace.push(...effects.trace);
      Object.assign(fields, effects.fields);
      mergeTags(tags, effects.tags);
      if (effects.ended) {
        ended = effects.ended;
        lastVariables = effects.ended.variables;
      }
      if (effects.handoff) handoff = { note: effects.handoff.note, variables: effects.handoff.variables };
      if (effects.startFlow) gotoFlowId = effects.startFlow.flowId;
    },
    result({
      state,
      failed,
    }: {
      state: TFlowState | null;
      failed: { stepId: string; reason: string; variables: Record<string, TFlowValue> } | null;
    }): TFlowTestResult {
      const end: TFlowEffects["ended"] = failed
        ? { outcome: "failed", stepId: failed.stepId, variables: failed.variables }
        : ended;
      const reason =
        failed?.reason ??
        ((trace.findLast((entry) => entry.detail.ended !== undefined)?.detail.error as string | undefined) || null);
      return {
        replies,
        trace,
        variables: state?.vars ?? end?.variables ?? lastVariables,
        fields,
        tags,
        state,
        stepId: state?.stepId ?? end?.stepId ?? null,
        waiting: !state ? "ended" : state.wait === "delay" ? "delay" : "answer",
        deadline: state?.deadline ?? null,
        ended: state ? null : end ? { outcome: end.outcome, stepId: end.stepId, reason } : null,
        handoff,
        gotoFlowId,
      };
    },
  };
}

/** A reply as the contact sees it: buttons (or a list) where the engine has them, else the numbered menu. */
function asSeen(reply: TFlowEffects["replies"][number], buttons: boolean): TTestReply {
  const content = reply.content;
  if (content?.kind === "interactive") {
    if (!buttons) return { kind: "text", stepId: reply.stepId, text: numberedMenu(content) };
    return {
      kind: "choice",
      stepId: reply.stepId,
      text: content.body,
      style: content.style,
      options: content.options.map((option) => ({
        id: option.id,
        title: option.title,
        ...(option.description ? { description: option.description } : {}),
      })),
    };
  }
  if (content && "media" in content) {
    return {
      kind: "media",
      stepId: reply.stepId,
      mediaKind: content.kind,
      caption: "caption" in content ? (content.caption ?? "") : "",
      fileName: content.media?.fileName ?? null,
    };
  }
  return { kind: "text", stepId: reply.stepId, text: reply.body };
}
