import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TTx } from "~/db/client";
import { flowRuns, flowSteps, type TFlowRunOutcome } from "~/db/schema";
import { enqueue } from "~/server/jobs/boss";
import { jsonRecordset } from "~/server/lib/sql";
import type { TMessageContent } from "~/server/messages/content";
import type { TOrgSettings } from "~/server/settings/schema";
import { normalizeKeyword } from "./definition";
import type { TCompiledFlowWithAssets, TFlowCatalogue } from "./catalogue";
import {
  advanceFlow,
  emptyEffects,
  mergeTags,
  newRunState,
  type TFlowContext,
  type TFlowEffects,
  type TFlowInput,
} from "./run";
import type { TFlowState } from "./state";

/**
 * One conversation's flow, moved by one input: the escape words, the triggers, the chain of
 * flows a go-to-flow step or the menu word starts, and what must be written (runs started and
 * ended, the trace, the one job the new state waits on). The pipeline (a batch of messages),
 * the jobs (a deadline, an HTTP answer), the API and the Inbox's release call it with the
 * conversation's row locked, and write `TFlowWrites` with `writeFlowRecords`.
 */

export type TFlowTrigger = "keyword" | "first_message" | "rule" | "api" | "menu" | "flow" | "test";

/** What a move of the conversation's flow must write, beside the state itself. */
export type TFlowWrites = {
  runsStarted: {
    id: string;
    flowId: string;
    version: number;
    threadId: string;
    contactId: string;
    trigger: TFlowTrigger;
    at: Date;
  }[];
  runsEnded: {
    id: string;
    outcome: TFlowRunOutcome;
    lastStepId: string | null;
    variables: Record<string, unknown>;
    at: Date;
  }[];
  steps: {
    runId: string;
    flowId: string;
    version: number;
    stepId: string;
    stepType: string;
    detail: Record<string, unknown>;
    at: Date;
  }[];
  /** `flow.deadline` jobs to schedule. */
  deadlines: { threadId: string; runId: string; token: number; at: Date }[];
  /** `flow.http` jobs to run. */
  requests: { threadId: string; runId: string; token: number }[];
};

export function emptyWrites(): TFlowWrites {
  return { runsStarted: [], runsEnded: [], steps: [], deadlines: [], requests: [] };
}

export type TFlowTurn = {
  /** Whether the flow took the input (rules then do not run on a message). */
  handled: boolean;
  /** The conversation's flow state after it (null: none runs). */
  state: TFlowState | null;
  effects: TFlowEffects;
};

const MAX_CHAIN = 5;

/** Moves conversations' flows; `writes` collects what to record, for one batch or one job. */
export class FlowTurns {
  readonly writes = emptyWrites();
  constructor(
    private readonly catalogue: TFlowCatalogue,
    private readonly escape: TOrgSettings["flowEscape"],
  ) {}

  /**
   * A contact's message. With a flow running: a stop word ends it, a menu word restarts the menu
   * flow, anything else moves it. Without one: the menu word, a keyword, or (their very first
   * message) a first-message flow starts one. Otherwise not handled: rules decide. `contextOf`
   * is called only when a flow moves or starts.
   */
  onMessage(
    conversation: { threadId: string; contactId: string },
    state: TFlowState | null,
    message: { id: string; text: string; content: TMessageContent; isFirst: boolean },
    contextOf: () => TFlowContext,
  ): TFlowTurn {
    // Built only when a flow moves or starts: a message rules decide does not pay for it twice.
    let built: TFlowContext | null = null;
    const context = () => (built ??= contextOf());
    const said = message.content.kind === "text" ? normalizeKeyword(message.text) : "";
    const stop = said !== "" && this.escape.stopWords.some((word) => normalizeKeyword(word) === said);
    const menu = said !== "" && this.escape.menuWords.some((word) => normalizeKeyword(word) === said);
    const menuFlow = this.escape.menuFlowId ? this.catalogue.published.get(this.escape.menuFlowId) : undefined;
    if (state && !state.paused) {
      if (stop) {
        const effects = emptyEffects();
        this.endRun(state, "stopped", context().now, { by: "contact" });
        if (this.escape.stopReply) effects.replies.push({ body: this.escape.stopReply, stepId: state.stepId });
        return { handled: true, state: null, effects };
      }
      if (menu && menuFlow) {
        this.endRun(state, "replaced", context().now, { by: "menu" });
        return this.start(conversation, menuFlow, "menu", context());
      }
      const flow = this.catalogue.version(state.flowId, state.version);
      if (!flow || !flow.enabled) {
        // Unpublished, disabled or deleted since: the run ends, and rules answer this message.
        this.endRun(state, flow ? "stopped" : "failed", context().now, { reason: flow ? "disabled" : "missing" });
        return { handled: false, state: null, effects: emptyEffects() };
      }
      return this.move(
        conversation,
        flow,
        state,
        { kind: "message", messageId: message.id, text: message.text, content: message.content },
        context(),
      );
    }
    if (state?.paused) return { handled: false, state, effects: emptyEffects() };
    if (menu && menuFlow) return this.start(conversation, menuFlow, "menu", context());
    const keywordFlowId = said ? this.catalogue.keywords.get(said) : undefined;
    const keywordFlow = keywordFlowId ? this.catalogue.published.get(keywordFlowId) : undefined;
    if (keywordFlow) return this.start(conversation, keywordFlow, "keyword", context());
    if (message.isFirst) {
      const first = this.catalogue.firstMessage.map((id) => this.catalogue.published.get(id)).find(Boolean);
      if (first) return this.start(conversation, first, "first_message", context());
    }
    return { handled: false, state: null, effects: emptyEffects() };
  }

  /** A job's input (a deadline, an HTTP answer) or a resume, for the state it was meant for. */
  onEvent(
    conversation: { threadId: string; contactId: string },
    state: TFlowState,
    input: Exclude<TFlowInput, { kind: "start" } | { kind: "message" }>,
    context: TFlowContext,
  ): TFlowTurn {
    const flow = this.catalogue.version(state.flowId, state.version);
    if (!flow || !flow.enabled) {
      this.endRun(state, flow ? "stopped" : "failed", context.now, { reason: flow ? "disabled" : "missing" });
      return { handled: true, state: null, effects: emptyEffects() };
    }
    return this.move(conversation, flow, state, input, context);
  }

  /**
   * Starts a published flow (a rule's action, the API, a trigger), ending the run in progress
   * (`replaced`). Null when the flow is not published and enabled.
   */
  startById(
    conversation: { threadId: string; contactId: string },
    current: TFlowState | null,
    flowId: string,
    trigger: TFlowTrigger,
    context: TFlowContext,
    vars: Record<string, string | number | boolean | null> = {},
  ): TFlowTurn | null {
    const flow = this.catalogue.published.get(flowId);
    if (!flow) return null;
    if (current) this.endRun(current, "replaced", context.now, { by: trigger });
    return this.start(conversation, flow, trigger, context, vars);
  }

  /** Ends the conversation's run (a person stopped it, the contact was merged away…). */
  stop(state: TFlowState, outcome: TFlowRunOutcome, at: Date, detail: Record<string, unknown>) {
    this.endRun(state, outcome, at, detail);
  }

  private start(
    conversation: { threadId: string; contactId: string },
    flow: TCompiledFlowWithAssets,
    trigger: TFlowTrigger,
    context: TFlowContext,
    vars: Record<string, string | number | boolean | null> = {},
  ): TFlowTurn {
    const state = newRunState(flow, randomUUID(), context.now, vars);
    this.writes.runsStarted.push({
      id: state.runId,
      flowId: flow.flowId,
      version: flow.version,
      threadId: conversation.threadId,
      contactId: conversation.contactId,
      trigger,
      at: context.now,
    });
    return this.move(conversation, flow, state, { kind: "start" }, context);
  }

  private move(
    conversation: { threadId: string; contactId: string },
    flow: TCompiledFlowWithAssets,
    state: TFlowState,
    input: TFlowInput,
    context: TFlowContext,
  ): TFlowTurn {
    const total = emptyEffects();
    let current: { flow: TCompiledFlowWithAssets; state: TFlowState; input: TFlowInput } | null = {
      flow,
      state,
      input,
    };
    let result: TFlowState | null = null;
    for (let chain = 0; current && chain < MAX_CHAIN; chain += 1) {
      const moved = advanceFlow(current.flow, current.state, current.input, {
        ...context,
        assets: current.flow.assets,
      });
      mergeEffects(total, moved.effects);
      for (const entry of moved.effects.trace) {
        this.writes.steps.push({
          runId: current.state.runId,
          flowId: current.flow.flowId,
          version: current.flow.version,
          ...entry,
          at: context.now,
        });
      }
      result = moved.state;
      if (moved.effects.ended) {
        this.writes.runsEnded.push({
          id: current.state.runId,
          outcome: moved.effects.ended.outcome,
          lastStepId: moved.effects.ended.stepId,
          variables: moved.effects.ended.variables,
          at: context.now,
        });
      }
      current = null;
      if (moved.effects.startFlow) {
        const next = this.catalogue.published.get(moved.effects.startFlow.flowId);
        if (next) {
          const started = newRunState(next, randomUUID(), context.now);
          this.writes.runsStarted.push({
            id: started.runId,
            flowId: next.flowId,
            version: next.version,
            threadId: conversation.threadId,
            contactId: conversation.contactId,
            trigger: "flow",
            at: context.now,
          });
          current = { flow: next, state: started, input: { kind: "start" } };
        }
      }
    }
    if (result) {
      if (total.deadline)
        this.writes.deadlines.push({
          threadId: conversation.threadId,
          runId: result.runId,
          token: result.token,
          at: total.deadline,
        });
      if (total.http)
        this.writes.requests.push({ threadId: conversation.threadId, runId: result.runId, token: result.token });
    }
    return { handled: true, state: result, effects: total };
  }

  private endRun(state: TFlowState, outcome: TFlowRunOutcome, at: Date, detail: Record<string, unknown>) {
    this.writes.runsEnded.push({ id: state.runId, outcome, lastStepId: state.stepId, variables: state.vars, at });
    this.writes.steps.push({
      runId: state.runId,
      flowId: state.flowId,
      version: state.version,
      stepId: state.stepId,
      stepType: "end",
      detail: { ...detail, ended: outcome },
      at,
    });
  }
}

function mergeEffects(total: TFlowEffects, more: TFlowEffects) {
  total.replies.push(...more.replies);
  mergeTags(total.tags, more.tags);
  Object.assign(total.fields, more.fields);
  total.aiReplies.push(...more.aiReplies);
  total.handoff ??= more.handoff;
  total.http = more.http ?? total.http;
  total.deadline = more.deadline ?? (more.ended ? null : total.deadline);
  total.ended = more.ended ?? total.ended;
  total.ignored = more.ignored;
}

/**
 * What moves of flows decided, as CTEs (`name as (…), …`) for one statement: runs started (a run
 * that also ended here is inserted ended), runs ended, and the trace. `message.process` adds
 * them to the statement that queues its replies, so flows cost it no round trip.
 */
export function flowRecordsSql(writes: TFlowWrites): SQL | null {
  if (writes.runsStarted.length + writes.runsEnded.length + writes.steps.length === 0) return null;
  const endedById = new Map(writes.runsEnded.map((run) => [run.id, run]));
  const started = writes.runsStarted.map((run) => {
    const ended = endedById.get(run.id);
    return {
      ...run,
      endedAt: ended?.at ?? null,
      outcome: ended?.outcome ?? null,
      lastStepId: ended?.lastStepId ?? null,
      variables: ended?.variables ?? {},
    };
  });
  const startedIds = new Set(started.map((run) => run.id));
  const ended = writes.runsEnded.filter((run) => !startedIds.has(run.id));
  return sql`
    flow_runs_started as (
      insert into ${flowRuns} (id, flow_id, version, thread_id, contact_id, trigger, started_at, ended_at, outcome, last_step_id, variables)
      select id, "flowId", version, "threadId", "contactId", trigger, at, "endedAt", outcome, "lastStepId", variables
      from ${jsonRecordset(
        started,
        `id uuid, "flowId" uuid, version int, "threadId" uuid, "contactId" uuid, trigger text, at timestamptz,
        "endedAt" timestamptz, outcome text, "lastStepId" text, variables jsonb`,
      )} r
    ), flow_runs_ended as (
      update ${flowRuns} r set ended_at = e.at, outcome = e.outcome, last_step_id = e."lastStepId", variables = e.variables
      from ${jsonRecordset(ended, `id uuid, outcome text, "lastStepId" text, variables jsonb, at timestamptz`)} e
      where r.id = e.id and r.ended_at is null
    ), flow_trace as (
      insert into ${flowSteps} (run_id, flow_id, version, step_id, step_type, detail, at)
      select "runId", "flowId", version, "stepId", "stepType", detail, at
      from ${jsonRecordset(
        writes.steps.map((step, ord) => ({ ord, ...step })),
        `ord int, "runId" uuid, "flowId" uuid, version int, "stepId" text, "stepType" text, detail jsonb, at timestamptz`,
      )} s
      order by ord
    )`;
}

/** Enqueues the jobs the new states wait on: a deadline at its time, an HTTP request now, each keyed by run and token. */
export async function enqueueFlowJobs(tx: TTx, boss: PgBoss, writes: TFlowWrites): Promise<void> {
  for (const deadline of writes.deadlines) {
    await enqueue(
      boss,
      "flow.deadline",
      { threadId: deadline.threadId, runId: deadline.runId, token: deadline.token },
      { tx, startAfter: deadline.at, singletonKey: `${deadline.runId}:${deadline.token}` },
    );
  }
  for (const request of writes.requests) {
    await enqueue(
      boss,
      "flow.http",
      { threadId: request.threadId, runId: request.runId, token: request.token },
      { tx, singletonKey: `${request.runId}:${request.token}` },
    );
  }
}

/** Writes what moves of flows decided (in the caller's transaction): the records, then the jobs. */
export async function writeFlowRecords(tx: TTx, boss: PgBoss, writes: TFlowWrites): Promise<void> {
  const records = flowRecordsSql(writes);
  if (records) await tx.execute(sql`with ${records} select 1`);
  await enqueueFlowJobs(tx, boss, writes);
}
