import { ApiError, GoogleGenAI } from "@google/genai";
import { fold } from "~/server/lib/fold";
import { DEFAULT_GEMINI_MODEL } from "./models";
import type { TPrompt, TPromptProfile } from "./prompt";

export type TAiResult = { text: string; tokens: { prompt: number; output: number } | null };

/** A model that writes a reply to a prompt. */
export type TAiProvider = {
  readonly name: "gemini" | "offline";
  readonly model: string;
  generate: (prompt: TPrompt, signal: AbortSignal) => Promise<TAiResult>;
};

export type TGeminiOptions = {
  apiKey: string;
  model?: string;
  /** Another endpoint (tests point the real client at a fake server on loopback). */
  baseUrl?: string;
  /** Thinking tokens; 0 (off) by default, since thinking can delay the first token by seconds. */
  thinkingBudget?: number;
};

/** Whether a failed call may succeed if tried again: rate limits, server errors, the network. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ApiError) return error.status === 429 || error.status >= 500 || error.status === 408;
  return error instanceof TypeError; // fetch's network failures
}

/** Gemini through `@google/genai`. Retries are ours (reply.ts), so the SDK's are off. */
export function createGeminiProvider(options: TGeminiOptions): TAiProvider {
  const client = new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: { ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), retryOptions: { attempts: 1 } },
  });
  const model = options.model ?? DEFAULT_GEMINI_MODEL;
  return {
    name: "gemini",
    model,
    async generate(prompt, signal) {
      const response = await client.models.generateContent({
        model,
        contents: prompt.contents,
        config: {
          systemInstruction: prompt.systemInstruction,
          abortSignal: signal,
          thinkingConfig: { thinkingBudget: options.thinkingBudget ?? 0 },
        },
      });
      const text = response.text?.trim() ?? "";
      if (!text) throw new Error("the model returned no text");
      const usage = response.usageMetadata;
      return {
        text,
        tokens: usage ? { prompt: usage.promptTokenCount ?? 0, output: usage.candidatesTokenCount ?? 0 } : null,
      };
    },
  };
}

/**
 * With no API key: answers from the profile alone (hours, services, links when asked, else a
 * greeting and the fallback text), so the product works end to end without a network.
 */
export function createOfflineProvider(profile: TPromptProfile & { fallbackText: string }): TAiProvider {
  return {
    name: "offline",
    model: "profile",
    generate(prompt) {
      const last = prompt.contents.at(-1)?.parts.at(-1)?.text ?? "";
      const asked = fold(last);
      const business = profile.businessInfo;
      const name = business.name || profile.name;
      let text: string;
      if (business.hours && /\b(hours?|open|opening|horario|abre|aberto)\b/.test(asked)) {
        text = `Our opening hours: ${business.hours}.`;
      } else if (
        business.services?.length &&
        /\b(price|prices|service|services|preco|servico|servicos|offer)\b/.test(asked)
      ) {
        text = `${name} offers: ${business.services.join(", ")}.`;
      } else if (business.links?.length && /\b(link|website|site|web)\b/.test(asked)) {
        text = `You can find us here: ${business.links.join(" ")}`;
      } else {
        text = profile.fallbackText || `Hello from ${name}! Thanks for your message; we will get back to you shortly.`;
      }
      return Promise.resolve({ text, tokens: null });
    },
  };
}
