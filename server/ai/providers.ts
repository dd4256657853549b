import { ApiError, GoogleGenAI, type Content } from "@google/genai";
import { fold } from "~/server/lib/fold";
import { DEFAULT_GEMINI_MODEL } from "./models";
import type { TPrompt, TPromptProfile } from "./prompt";

/** A function the model may call (an AI tool): its name, what it does, its parameters' JSON schema. */
export type TFunctionDeclaration = { name: string; description: string; parameters: Record<string, unknown> };

/** A call the model asked for. */
export type TFunctionCall = { id?: string; name: string; args: Record<string, unknown> };

/** A turn added after the prompt's: the model's calls, and the results sent back to it. */
export type TToolTurn =
  | { role: "model"; calls: TFunctionCall[]; content?: unknown }
  | { role: "user"; results: { call: TFunctionCall; response: Record<string, unknown> }[] };

export type TAiResult = {
  text: string;
  tokens: { prompt: number; output: number } | null;
  /** Functions the model wants called before it answers (only when it was given some). */
  calls?: TFunctionCall[];
  /** The model's turn as it came, for sending it back unchanged with the results. */
  content?: unknown;
};

export type TGenerateOptions = {
  /** Functions the model may call; none: it must answer in text. */
  functions?: readonly TFunctionDeclaration[];
  /** Tool turns after the prompt's contents (calls and their results so far). */
  turns?: readonly TToolTurn[];
};

/** A model that writes a reply to a prompt. */
export type TAiProvider = {
  readonly name: "gemini" | "offline";
  readonly model: string;
  generate: (prompt: TPrompt, signal: AbortSignal, options?: TGenerateOptions) => Promise<TAiResult>;
};

/** Gemini's contents for the tool turns: `functionCall` parts, then `functionResponse` parts. */
function toolContents(turns: readonly TToolTurn[]): Content[] {
  return turns.map((turn) =>
    turn.role === "model"
      ? ((turn.content as Content | undefined) ?? {
          role: "model",
          parts: turn.calls.map((call) => ({ functionCall: { id: call.id, name: call.name, args: call.args } })),
        })
      : {
          role: "user",
          parts: turn.results.map(({ call, response }) => ({
            functionResponse: { ...(call.id ? { id: call.id } : {}), name: call.name, response },
          })),
        },
  );
}

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
    async generate(prompt, signal, generateOptions = {}) {
      const functions = generateOptions.functions ?? [];
      const response = await client.models.generateContent({
        model,
        contents: [...prompt.contents, ...toolContents(generateOptions.turns ?? [])],
        config: {
          systemInstruction: prompt.systemInstruction,
          abortSignal: signal,
          thinkingConfig: { thinkingBudget: options.thinkingBudget ?? 0 },
          ...(functions.length > 0
            ? {
                tools: [
                  {
                    functionDeclarations: functions.map((fn) => ({
                      name: fn.name,
                      description: fn.description,
                      parametersJsonSchema: fn.parameters,
                    })),
                  },
                ],
              }
            : {}),
        },
      });
      const usage = response.usageMetadata;
      const tokens = usage ? { prompt: usage.promptTokenCount ?? 0, output: usage.candidatesTokenCount ?? 0 } : null;
      const content = response.candidates?.[0]?.content;
      const parts = content?.parts ?? [];
      // The text parts read by hand: `response.text` warns when other parts come with them.
      const text = parts
        .filter((part) => typeof part.text === "string" && !part.thought)
        .map((part) => part.text)
        .join("")
        .trim();
      const calls = functions.length
        ? parts.flatMap((part) =>
            part.functionCall?.name
              ? [
                  {
                    ...(part.functionCall.id ? { id: part.functionCall.id } : {}),
                    name: part.functionCall.name,
                    args: part.functionCall.args ?? {},
                  },
                ]
              : [],
          )
        : [];
      if (calls.length > 0) return { text, tokens, calls, content };
      if (!text) throw new Error("the model returned no text");
      return { text, tokens };
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
