import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
} from "cockatiel";
import type { TPrompt } from "./prompt";
import {
  isRetryable,
  type TAiProvider,
  type TAiResult,
  type TFunctionCall,
  type TFunctionDeclaration,
  type TToolTurn,
} from "./providers";
import type { TToolCall } from "./tools";

export type TAiOutcome =
  | { outcome: "ok"; text: string }
  | {
      outcome: "fallback";
      text: string;
      reason: "timeout" | "error" | "circuit_open" | "empty" | "budget";
      error?: string;
    };

/** What one AI reply did, for the message and the analytics. */
export type TAiReply = TAiOutcome & {
  provider: TAiProvider["name"];
  model: string;
  latencyMs: number;
  tokens: { prompt: number; output: number } | null;
  attempts: number;
  /** The tools the model called, in order, with their arguments and results. */
  toolCalls: TToolCall[];
};

/** The tools one reply may call (tools.ts's `toolRunner`). */
export type TToolRunner = {
  declarations: readonly TFunctionDeclaration[];
  run: (call: TFunctionCall, deadlineAt: number) => Promise<{ record: TToolCall; response: Record<string, unknown> }>;
  /** True once a call ended the reply (the hand-off): the loop stops after that round, with no text. */
  finished?: () => boolean;
};

/** Rounds of tool calls a reply may make before the model must answer in text. */
export const MAX_TOOL_ROUNDS = 3;
/** Calls the model may ask for in one round (more are answered with an error). */
const MAX_CALLS_PER_ROUND = 5;

export type TAiPolicy = {
  /** The whole reply, retries included, must be done within this (default 8 s). */
  deadlineMs: number;
  /** Tries per reply, the first included, on 429 / 5xx / network errors. */
  maxAttempts: number;
  /** Failed replies in a row that open the circuit, and how long it then stays open. */
  breakAfter: number;
  halfOpenAfterMs: number;
};

export const DEFAULT_AI_POLICY: TAiPolicy = {
  deadlineMs: 8_000,
  maxAttempts: 3,
  breakAfter: 5,
  halfOpenAfterMs: 30_000,
};

/**
 * One circuit per provider and model (and policy), shared by every reply of the process: five
 * failed replies in a row open it, and replies then go straight to the fallback without
 * calling the provider until it half-opens.
 */
const breakers = new Map<string, CircuitBreakerPolicy>();
function breakerFor(key: string, policy: TAiPolicy): CircuitBreakerPolicy {
  let breaker = breakers.get(key);
  if (!breaker) {
    breaker = circuitBreaker(handleAll, {
      halfOpenAfter: policy.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(policy.breakAfter),
    });
    breakers.set(key, breaker);
  }
  return breaker;
}

/**
 * Asks the provider for a reply under a hard deadline, retrying rate limits and server errors
 * with backoff inside it, behind a circuit breaker. Whatever fails (time, errors, an open
 * circuit, an empty answer), the result is the fallback text with the reason: never silence.
 */
export async function generateAiReply(
  provider: TAiProvider,
  prompt: TPrompt,
  fallbackText: string,
  options: { policy?: Partial<TAiPolicy>; circuitKey?: string; signal?: AbortSignal; tools?: TToolRunner } = {},
): Promise<TAiReply> {
  const policy = { ...DEFAULT_AI_POLICY, ...options.policy };
  const deadline = AbortSignal.timeout(policy.deadlineMs);
  const deadlineAt = Date.now() + policy.deadlineMs;
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const breaker = breakerFor(
    options.circuitKey ?? `${provider.name}:${provider.model}:${JSON.stringify(policy)}`,
    policy,
  );
  const retrying = retry(
    handleWhen((error) => isRetryable(error)),
    { maxAttempts: policy.maxAttempts - 1, backoff: new ExponentialBackoff({ initialDelay: 250, maxDelay: 2_000 }) },
  );
  const started = performance.now();
  let attempts = 0;
  const usage = { prompt: 0, output: 0, reported: false };
  const toolCalls: TToolCall[] = [];
  const done = (result: TAiOutcome): TAiReply => ({
    ...result,
    provider: provider.name,
    model: provider.model,
    latencyMs: Math.round(performance.now() - started),
    tokens: usage.reported ? { prompt: usage.prompt, output: usage.output } : null,
    attempts,
    toolCalls,
  });
  const functions = options.tools?.declarations ?? [];
  const turns: TToolTurn[] = [];
  try {
    for (let round = 0; ; round += 1) {
      // The last round offers no functions: the model has to answer with what it has.
      const offered = round < MAX_TOOL_ROUNDS ? functions : [];
      const result: TAiResult = await breaker.execute(
        () =>
          retrying.execute(({ signal: attemptSignal }) => {
            attempts += 1;
            return provider.generate(prompt, attemptSignal, { functions: offered, turns });
          }, signal),
        signal,
      );
      if (result.tokens) {
        usage.prompt += result.tokens.prompt;
        usage.output += result.tokens.output;
        usage.reported = true;
      }
      if (!result.calls?.length || offered.length === 0) {
        if (!result.text) throw new Error("the model returned no text");
        return done({ outcome: "ok", text: result.text });
      }
      const runner = options.tools!;
      const results = await Promise.all(
        result.calls.map(async (call, index) => {
          if (index >= MAX_CALLS_PER_ROUND) {
            const response = { error: `too_many_calls: at most ${MAX_CALLS_PER_ROUND} calls at once` };
            return { call, response, record: null };
          }
          const { record, response } = await runner.run(call, deadlineAt);
          return { call, response, record };
        }),
      );
      for (const { record } of results) if (record) toolCalls.push(record);
      if (runner.finished?.()) return done({ outcome: "ok", text: "" });
      signal.throwIfAborted();
      turns.push({ role: "model", calls: result.calls, content: result.content });
      turns.push({ role: "user", results: results.map(({ call, response }) => ({ call, response })) });
    }
  } catch (error) {
    if (error instanceof BrokenCircuitError)
      return done({ outcome: "fallback", text: fallbackText, reason: "circuit_open" });
    const message = error instanceof Error ? error.message : String(error);
    const reason = deadline.aborted ? "timeout" : message === "the model returned no text" ? "empty" : "error";
    return done({ outcome: "fallback", text: fallbackText, reason, error: message.slice(0, 500) });
  }
}
