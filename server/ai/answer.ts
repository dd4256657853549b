import { randomUUID } from "node:crypto";
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { contextProfiles, messages, profileCollections } from "~/db/schema";
import { embedTexts } from "~/server/knowledge/embed";
import { loadSecrets } from "~/server/settings/secrets";
import { retrievePassages, type TRetrieval } from "~/server/knowledge/search";
import type { TOrgSettings } from "~/server/settings/schema";
import { getOrgSettings } from "~/server/settings/settings";
import { effectiveModel, type TGeminiConfig } from "./models";
import { buildPrompt, type TPrompt, type TPromptProfile } from "./prompt";
import { createGeminiProvider, createOfflineProvider, type TAiProvider } from "./providers";
import { generateAiReply, type TAiPolicy, type TAiReply } from "./reply";
import { HAND_OFF_TOOL, loadProfileTools, toolRunner, withHandOff, type TAiTool } from "./tools";

/** Which model answers: Gemini with a key, else the offline provider (built per profile). */
export type TAiConfig = {
  gemini: TGeminiConfig | null;
  policy?: Partial<TAiPolicy>;
  /**
   * What the profile's AI tools need (WEBHOOK_ALLOW_PRIVATE_NETWORKS, and APP_SECRET to read
   * Settings → Secrets); without it no tool is offered to the model.
   */
  tools?: { allowPrivate: boolean; appSecret: string };
};

const HISTORY_MESSAGES = 30;
const DEFAULT_FALLBACK = "Thanks for your message! We will get back to you shortly.";
/** Passages put in the prompt. */
const PASSAGES_IN_PROMPT = 4;
/** How long the question's embedding may take before retrieval goes on with text search alone. */
const QUERY_EMBEDDING_DEADLINE_MS = 2_000;

const providers = new Map<string, TAiProvider>();
function geminiFor(config: TGeminiConfig): TAiProvider {
  const key = `${config.baseUrl ?? ""}|${config.model}|${config.apiKey}`;
  let provider = providers.get(key);
  if (!provider) {
    provider = createGeminiProvider(config);
    providers.set(key, provider);
  }
  return provider;
}

/** The profile row an answer uses (or the built-in default when there is no profile at all). */
export type TAnswerProfile = TPromptProfile & {
  id: string | null;
  fallbackText: string;
  knowledgeOnly: boolean;
  citeSources: boolean;
};

/** What to answer: one message of a contact (and the conversation before it), for a profile. */
export type TAnswerRequest = {
  /** The profile to answer with (a rule's, an evaluation's); else the contact's own, else by relationship, else the default. */
  profileId: string | null;
  contact: { name: string | null; relationship: string; tags: string[]; profileId: string | null };
  /** The conversation before the message, oldest first. */
  history: { direction: "in" | "out"; body: string }[];
  message: string;
  /**
   * What the tool calls' `Idempotency-Key` starts with (then `:1`, `:2`…): the same for a retried
   * job's answer, so the business's system can tell a repeat. Default: new for each answer.
   */
  callKey?: string;
};

/** A passage the answer was given, and whether the reply cited it. */
export type TAnswerPassage = {
  id: string;
  sourceId: string;
  title: string;
  source: string;
  score: number;
  textRank: number | null;
  vectorRank: number | null;
  similarity: number | null;
  cited: boolean;
};

/** What the knowledge base contributed to an answer (null: the profile has no collections). */
export type TAnswerKnowledge = {
  mode: TRetrieval["mode"];
  relevant: boolean;
  vectorSkipped: string | null;
  passages: TAnswerPassage[];
};

export type TAiAnswer = TAiReply & {
  profileId: string | null;
  /**
   * The bot should pass the conversation to people: the profile answers only from its knowledge
   * base, and nothing relevant was found (the model was not asked) or the model called the
   * hand-off function (the text says so).
   */
  handoff: { reason: "knowledge_gap"; question: string } | null;
  knowledge: TAnswerKnowledge | null;
};

/**
 * The profile for an answer: `profileId` (a rule's), else the contact's own, else the one for
 * their relationship, else the default profile, else the built-in default.
 */
export async function resolveAnswerProfile(
  db: TDbOrTx,
  profileId: string | null,
  contact: TAnswerRequest["contact"],
): Promise<TAnswerProfile> {
  const chosen = profileId ?? contact.profileId;
  const [profile] = await db
    .select()
    .from(contextProfiles)
    .where(
      chosen
        ? eq(contextProfiles.id, chosen)
        : or(
            sql`${contextProfiles.relationships} @> array[${contact.relationship}]::relationship[]`,
            eq(contextProfiles.isDefault, true),
          ),
    )
    .orderBy(sql`${contextProfiles.isDefault} asc`)
    .limit(1);
  if (profile) return profile;
  const settings = await getOrgSettings(db);
  return {
    id: null,
    name: "Default",
    persona: "",
    businessInfo: { name: settings.orgName || undefined },
    tone: "friendly",
    formality: "neutral",
    responseLength: "short",
    emoji: "some",
    language: "en",
    topics: [],
    topicsToAvoid: [],
    instructions: "",
    fallbackText: "",
    knowledgeOnly: false,
    citeSources: true,
  };
}

/** The recent messages of a thread before `seq`, oldest first. */
export async function threadHistory(db: TDbOrTx, threadId: string, beforeSeq: number) {
  const rows = await db
    .select({ direction: messages.direction, body: messages.body })
    .from(messages)
    .where(and(eq(messages.threadId, threadId), lt(messages.seq, beforeSeq)))
    .orderBy(desc(messages.seq))
    .limit(HISTORY_MESSAGES);
  return rows.reverse();
}

/**
 * What the contact is asking now: the message and the messages they sent just before it with no
 * reply in between (a burst: "hi" / "I ordered last week" / "where is it?"), as one text.
 */
export function currentQuestion(history: TAnswerRequest["history"], message: string): string {
  const burst: string[] = [message];
  for (let index = history.length - 1; index >= 0 && history[index]!.direction === "in"; index--) {
    burst.unshift(history[index]!.body);
  }
  return burst.filter((text) => text.trim()).join("\n");
}

/** The prompt for a request and the knowledge found for it: what the model is sent, and why. */
export type TPreparedAnswer = {
  profile: TAnswerProfile;
  prompt: TPrompt;
  knowledge: TAnswerKnowledge | null;
  /** The retrieved passages in prompt order ([1] first). */
  passages: TRetrieval["passages"];
  /** Set when the answer is a hand-off without asking the model. */
  handoff: TAiAnswer["handoff"];
  /** What the contact is asking (the burst as one text). */
  question: string;
  /** The profile's tools the model is offered (Gemini and the tools' environment configured). */
  tools: TAiTool[];
  /** Whether the model is offered the hand-off function (a knowledge-only profile, on Gemini). */
  offersHandOff: boolean;
};

/**
 * Everything before the model call, shared by replies, the inbox's suggestion, the prompt
 * preview and evaluation runs: the profile, the passages of its collections for the current
 * question (text search, with embeddings when Gemini is configured), and the prompt.
 */
export async function prepareAnswer(db: TDbOrTx, config: TAiConfig, request: TAnswerRequest): Promise<TPreparedAnswer> {
  const profile = await resolveAnswerProfile(db, request.profileId, request.contact);
  const collectionIds = profile.id
    ? (
        await db
          .select({ id: profileCollections.collectionId })
          .from(profileCollections)
          .where(eq(profileCollections.profileId, profile.id))
      ).map((row) => row.id)
    : [];
  const question = currentQuestion(request.history, request.message);
  let retrieval: TRetrieval | null = null;
  if (collectionIds.length > 0) {
    const queryEmbedding = config.gemini ? await embedQuestion(config.gemini, question) : undefined;
    retrieval = await retrievePassages(db, collectionIds, question, { limit: PASSAGES_IN_PROMPT, queryEmbedding });
  }
  const passages = retrieval?.passages ?? [];
  const knowledge: TAnswerKnowledge | null = retrieval
    ? {
        mode: retrieval.mode,
        relevant: retrieval.relevant,
        vectorSkipped: retrieval.vectorSkipped,
        passages: passages.map((passage) => ({
          id: passage.id,
          sourceId: passage.sourceId,
          title: passage.title,
          source: passage.source.title,
          score: passage.score,
          textRank: passage.textRank,
          vectorRank: passage.vectorRank,
          similarity: passage.similarity,
          cited: false,
        })),
      }
    : null;
  // Tools are offered only to Gemini, and only with what they need to run.
  const tools = config.tools && config.gemini && profile.id ? await loadProfileTools(db, profile.id) : [];
  // A knowledge-only profile's model can hand off itself (it may find nothing in the passages).
  const offersHandOff = profile.knowledgeOnly && config.gemini !== null;
  // Nothing relevant: hand off without asking the model, unless a tool might answer.
  const handoff =
    profile.knowledgeOnly && !retrieval?.relevant && tools.length === 0
      ? { reason: "knowledge_gap" as const, question }
      : null;
  const prompt = buildPrompt({
    profile,
    contact: request.contact,
    history: request.history,
    message: request.message,
    ...(profile.knowledgeOnly || passages.length
      ? {
          knowledge: {
            only: profile.knowledgeOnly,
            ...(offersHandOff ? { handOff: HAND_OFF_TOOL } : {}),
            passages: passages.map((passage) => ({
              title: passage.title,
              source: passage.source.title,
              body: passage.body,
            })),
          },
        }
      : {}),
  });
  return { profile, prompt, knowledge, passages, handoff, question, tools, offersHandOff };
}

/**
 * The AI's answer to one message: `prepareAnswer`, then Gemini or the offline provider under the
 * reply policy (deadline, retries, circuit breaker, fallback). Citations: the `[n]` markers the
 * model wrote are taken out of the text, the passages they name are marked cited, and, when
 * the profile cites sources, their sources are named on a last line. A profile that answers
 * only from its knowledge base, with nothing relevant found, hands off without asking the
 * model. Writes nothing.
 */
export async function answerWithAi(db: TDbOrTx, config: TAiConfig, request: TAnswerRequest): Promise<TAiAnswer> {
  const prepared = await prepareAnswer(db, config, request);
  const { profile } = prepared;
  const settings = await getOrgSettings(db);
  const model = config.gemini ? effectiveModel(config.gemini, settings.aiModel) : "profile";
  if (prepared.handoff) {
    return {
      outcome: "ok",
      text: passOnText(profile.language),
      provider: config.gemini ? "gemini" : "offline",
      model,
      latencyMs: 0,
      tokens: null,
      attempts: 0,
      toolCalls: [],
      profileId: profile.id,
      handoff: prepared.handoff,
      knowledge: prepared.knowledge,
    };
  }
  const fallback = fallbackTextOf(profile, settings);
  const provider = config.gemini ? geminiFor({ ...config.gemini, model }) : createOfflineProvider(profile);
  // The profile's tools and the hand-off function, offered to Gemini (the offline provider calls none).
  const toolEnv = config.tools;
  const runner = withHandOff(
    toolEnv && prepared.tools.length > 0
      ? toolRunner(
          prepared.tools,
          { allowPrivate: toolEnv.allowPrivate, loadSecrets: (names) => loadSecrets(db, names, toolEnv.appSecret) },
          request.callKey ?? randomUUID(),
        )
      : null,
    prepared.offersHandOff,
  );
  const reply = await generateAiReply(provider, prepared.prompt, fallback, {
    policy: config.policy,
    ...(runner ? { tools: runner } : {}),
  });
  if (runner?.handedOff()) {
    // The model found no answer in the passages or its tools: people take the question.
    return {
      ...reply,
      outcome: "ok",
      text: passOnText(profile.language),
      profileId: profile.id,
      handoff: { reason: "knowledge_gap", question: prepared.question },
      knowledge: prepared.knowledge,
    };
  }
  if (reply.outcome !== "ok" || !prepared.knowledge) {
    return { ...reply, profileId: profile.id, handoff: null, knowledge: prepared.knowledge };
  }
  const cited = citationsIn(reply.text, prepared.passages.length);
  const knowledge = {
    ...prepared.knowledge,
    passages: prepared.knowledge.passages.map((passage, index) => ({ ...passage, cited: cited.has(index + 1) })),
  };
  const sources = [...new Set(knowledge.passages.filter((passage) => passage.cited).map((passage) => passage.source))];
  const text = withoutMarkers(reply.text);
  return {
    ...reply,
    text: profile.citeSources && sources.length ? `${text}\n\n${sourcesLine(profile.language, sources)}` : text,
    profileId: profile.id,
    handoff: null,
    knowledge,
  };
}

/** What the bot says when the model cannot answer: the profile's fallback, else the org's default reply, else a stock text. */
export function fallbackTextOf(profile: Pick<TAnswerProfile, "fallbackText">, settings: TOrgSettings): string {
  return (
    profile.fallbackText || (settings.defaultReply.mode === "text" ? settings.defaultReply.text : DEFAULT_FALLBACK)
  );
}

/** The question's embedding, or null when the call fails or is slow (text search goes on alone). */
async function embedQuestion(gemini: TGeminiConfig, question: string): Promise<number[] | null> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), QUERY_EMBEDDING_DEADLINE_MS);
  try {
    const [vector] = await embedTexts(gemini, [question], "query", controller.signal);
    return vector ?? null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

const MARKER = /\s?\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\]/g;

/** The passage numbers a reply cites ("[1]", "[2, 3]"), among 1…count. */
export function citationsIn(text: string, count: number): Set<number> {
  const cited = new Set<number>();
  for (const match of text.matchAll(MARKER)) {
    for (const part of match[1]!.split(",")) {
      const number = Number(part.trim());
      if (number >= 1 && number <= count) cited.add(number);
    }
  }
  return cited;
}

/** The reply without its citation markers (the contact reads the sources' names instead). */
export function withoutMarkers(text: string): string {
  return text
    .replace(MARKER, "")
    .replace(/[ \t]+([.,;:!?])/g, "$1")
    .trim();
}

const SOURCES_LABEL: Record<string, [string, string]> = {
  en: ["Source", "Sources"],
  es: ["Fuente", "Fuentes"],
  pt: ["Fonte", "Fontes"],
};
const PASS_ON: Record<string, string> = {
  en: "I don't have that information here, so I'm passing your question to a colleague who will get back to you.",
  es: "No tengo esa información aquí, así que paso tu pregunta a un compañero que te responderá.",
  pt: "Não tenho essa informação aqui, então vou passar sua pergunta para um colega que vai te responder.",
};

function languageOf(code: string): string {
  return code.toLowerCase().split(/[-_]/)[0] ?? "en";
}

/** "Source: Price list" in the profile's language (English when it has no words for it). */
export function sourcesLine(language: string, sources: readonly string[]): string {
  const [one, many] = SOURCES_LABEL[languageOf(language)] ?? SOURCES_LABEL.en!;
  return `${sources.length === 1 ? one : many}: ${sources.join("; ")}`;
}

/** What the contact hears when the bot passes a question it has no documents for. */
export function passOnText(language: string): string {
  return PASS_ON[languageOf(language)] ?? PASS_ON.en!;
}
