import { z } from "zod";

/** A flow variable's value. */
export type TFlowValue = string | number | boolean | null;

export const FLOW_WAITS = [
  /** An ask step waits for the contact's answer (until its deadline, if it has a timeout). */
  "answer",
  /** A wait step waits for its deadline. */
  "delay",
  /** An HTTP step's request is out (the `flow.http` job); its answer moves the flow on. */
  "http",
] as const;
export type TFlowWait = (typeof FLOW_WAITS)[number];

/**
 * The active flow of a conversation (`threads.flow`), owned by the conversation: which flow and
 * version, the step it stands on and what it waits for there, the variables collected, the
 * attempts at the current question, the deadline of a wait, and `token`, which every move of
 * the flow increments: a job (a timeout, an HTTP answer) carries the token it was scheduled
 * with and does nothing when the flow has moved since, so each runs at most once in effect.
 */
export const ZFlowState = z.object({
  runId: z.uuid(),
  flowId: z.uuid(),
  version: z.number().int(),
  /** The flow's name when the run started (for the Inbox). */
  name: z.string(),
  stepId: z.string(),
  wait: z.enum(FLOW_WAITS),
  /** A person took the conversation over: nothing moves until it is released (and resumed). */
  paused: z.boolean().default(false),
  vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  attempts: z.number().int().min(0),
  /** ISO time of the wait's deadline (an ask's timeout, a wait's end), if any. */
  deadline: z.string().nullable(),
  token: z.number().int().min(0),
  startedAt: z.string(),
});
export type TFlowState = z.infer<typeof ZFlowState>;

/** The stored state, or null (none, or not one this version can read: the flow then ends). */
export function readFlowState(raw: unknown): TFlowState | null {
  if (raw === null || raw === undefined) return null;
  const parsed = ZFlowState.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
