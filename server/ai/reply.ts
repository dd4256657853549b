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
import { isRetryable, type TAiProvider } from "./providers";

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
};

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
  options: { policy?: Partial<TAiPolicy>; circuitKey?: string; signal?: AbortSignal } = {},
): Promise<TAiReply> {
  const policy = { ...DEFAULT_AI_POLICY, ...options.policy };
  const deadline = AbortSignal.timeout(policy.deadlineMs);
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
  const done = (result: TAiOutcome, tokens: TAiReply["tokens"] = null): TAiReply => ({
    ...result,
    provider: provider.name,
    model: provider.model,
    latencyMs: Math.round(performance.now() - started),
    tokens,
    attempts,
  });
  try {
    const result = await breaker.execute(
      () =>
        retrying.execute(({ signal: attemptSignal }) => {
          attempts += 1;
          return provider.generate(prompt, attemptSignal);
        }, signal),
      signal,
    );
    return done({ outcome: "ok", text: result.text }, result.tokens);
  } catch (error) {
    if (error instanceof BrokenCircuitError)
      return done({ outcome: "fallback", text: fallbackText, reason: "circuit_open" });
    const message = error instanceof Error ? error.message : String(error);
    const reason = deadline.aborted ? "timeout" : message === "the model returned no text" ? "empty" : "error";
    return done({ outcome: "fallback", text: fallbackText, reason, error: message.slice(0, 500) });
  }
}
