import { ApiError } from "@google/genai";
import type { TAiEnv } from "~/server/env";
import { effectiveModel, type TGeminiConfig } from "./models";
import { createGeminiProvider } from "./providers";

/** Gemini's configuration from the environment, or null (no key: the offline provider answers). */
export function geminiConfig(env: TAiEnv): TGeminiConfig | null {
  return env.GEMINI_API_KEY
    ? {
        apiKey: env.GEMINI_API_KEY,
        model: env.GEMINI_MODEL,
        ...(env.GEMINI_BASE_URL ? { baseUrl: env.GEMINI_BASE_URL } : {}),
      }
    : null;
}

export type TAiStatus = {
  provider: "gemini" | "offline";
  /** The model replies use (Settings, else GEMINI_MODEL); null for the offline provider. */
  model: string | null;
  /** Where requests go when not Google's own endpoint (a proxy). */
  baseUrl: string | null;
};

/** Which provider answers AI replies, as the Settings page shows it (never the key itself). */
export function aiStatus(gemini: TGeminiConfig | null, settingsModel: string): TAiStatus {
  if (!gemini) return { provider: "offline", model: null, baseUrl: null };
  return { provider: "gemini", model: effectiveModel(gemini, settingsModel), baseUrl: gemini.baseUrl ?? null };
}

export type TAiKeyTest =
  | { ok: true; model: string; latencyMs: number; reply: string }
  | { ok: false; model: string | null; latencyMs: number; reason: string };

/** Why a call failed, in words an admin can act on. */
export function describeAiFailure(error: unknown, model: string, timedOut: boolean): string {
  if (timedOut) return "Gemini did not answer in time; the network or the endpoint may be down.";
  if (error instanceof ApiError) {
    const detail = error.message.slice(0, 300);
    if (error.status === 400 && /api key/i.test(error.message)) return `The API key was refused: ${detail}`;
    if (error.status === 401 || error.status === 403) return `The API key was refused (${error.status}): ${detail}`;
    if (error.status === 404) return `The model "${model}" was not found (404); check the model name.`;
    if (error.status === 429) return "The key works, but its quota or rate limit is used up right now (429).";
    return `Gemini answered ${error.status}: ${detail}`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `Gemini could not be reached: ${error instanceof Error ? error.message : String(error)}${cause}`;
}

/**
 * The "test key" button: one tiny real request to the configured model, with the deployment's
 * key, under a deadline, no retries. Says whether replies will work, and if not, why.
 */
export async function testAiKey(
  gemini: TGeminiConfig | null,
  settingsModel: string,
  options: { timeoutMs?: number } = {},
): Promise<TAiKeyTest> {
  if (!gemini) {
    return {
      ok: false,
      model: null,
      latencyMs: 0,
      reason: "No GEMINI_API_KEY is set: AI replies come from the offline provider (the profile's facts and fallback).",
    };
  }
  const model = effectiveModel(gemini, settingsModel);
  const provider = createGeminiProvider({ ...gemini, model });
  const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const result = await provider.generate(
      {
        systemInstruction: "You check that the API works. Answer with the single word OK.",
        contents: [{ role: "user", parts: [{ text: "Are you there?" }] }],
      },
      signal,
    );
    return { ok: true, model, latencyMs: elapsed(), reply: result.text.slice(0, 200) };
  } catch (error) {
    return { ok: false, model, latencyMs: elapsed(), reason: describeAiFailure(error, model, signal.aborted) };
  }
}
