import { fold } from "~/server/lib/fold";

/**
 * What Switchboard learns about a conversation as messages arrive: the topics it touches and
 * the contact's mood. Computed locally, in the worker, for every inbound message (no model call:
 * it must be cheap, deterministic and work offline), stored on the thread, shown on the contact
 * page and given to rules as facts.
 */
export const SENTIMENTS = ["positive", "neutral", "negative"] as const;
export type TSentiment = (typeof SENTIMENTS)[number];

export type TLearnedContext = {
  /** Newest first, at most MAX_TOPICS. */
  topics: string[];
  /** The conversation's mood, from -1 (angry) to 1 (delighted), weighted to recent messages. */
  sentimentScore: number;
  sentiment: TSentiment;
};

export const MAX_TOPICS = 8;
/** A score beyond ±this is positive or negative; between, neutral. */
const SENTIMENT_THRESHOLD = 0.2;
/** The weight of the newest message in the conversation's score. */
const RECENT_WEIGHT = 0.6;
/** A message with no feeling in it lets the mood fade by this factor. */
const FADE = 0.8;

/** Words (folded: lower case, no accents) and their weight, -3…3, in English, Spanish and Portuguese. */
const LEXICON: Record<string, number> = {
  // positive
  thanks: 2,
  thank: 2,
  thx: 1,
  great: 3,
  excellent: 3,
  amazing: 3,
  awesome: 3,
  perfect: 3,
  love: 3,
  loved: 3,
  good: 2,
  nice: 2,
  happy: 2,
  glad: 2,
  helpful: 2,
  wonderful: 3,
  fantastic: 3,
  best: 2,
  cool: 1,
  pleased: 2,
  appreciate: 2,
  appreciated: 2,
  recommend: 2,
  fast: 1,
  quick: 1,
  friendly: 2,
  satisfied: 2,
  gracias: 2,
  genial: 3,
  excelente: 3,
  perfecto: 3,
  bueno: 2,
  buena: 2,
  encanta: 3,
  feliz: 2,
  obrigado: 2,
  obrigada: 2,
  otimo: 3,
  otima: 3,
  bom: 2,
  boa: 2,
  adorei: 3,
  maravilhoso: 3,
  incrivel: 3,
  // negative
  bad: -2,
  terrible: -3,
  awful: -3,
  horrible: -3,
  worst: -3,
  hate: -3,
  angry: -3,
  annoyed: -2,
  upset: -2,
  disappointed: -2,
  disappointing: -2,
  unacceptable: -3,
  useless: -2,
  broken: -2,
  damaged: -2,
  wrong: -2,
  late: -1,
  slow: -1,
  problem: -1,
  problems: -1,
  issue: -1,
  complaint: -2,
  complain: -2,
  refund: -1,
  scam: -3,
  rude: -3,
  ridiculous: -3,
  frustrated: -2,
  frustrating: -2,
  poor: -2,
  waiting: -1,
  cancel: -1,
  missing: -1,
  lost: -1,
  fail: -2,
  failed: -2,
  sad: -2,
  sorry: -1,
  worse: -2,
  stupid: -3,
  fraud: -3,
  malo: -2,
  mala: -2,
  pesimo: -3,
  pesima: -3,
  enojado: -3,
  molesto: -2,
  queja: -2,
  problema: -1,
  roto: -2,
  tarde: -1,
  ruim: -2,
  pessimo: -3,
  pessima: -3,
  raiva: -3,
  reclamacao: -2,
  atrasado: -1,
  quebrado: -2,
  odeio: -3,
};

const NEGATIONS = new Set([
  "not",
  "no",
  "never",
  "dont",
  "don't",
  "isnt",
  "wasnt",
  "didnt",
  "cant",
  "nao",
  "nunca",
  "ni",
]);
const INTENSIFIERS = new Set(["very", "really", "so", "extremely", "super", "muy", "muito", "too"]);

const EMOJI: [RegExp, number][] = [
  [/[😀😃😄😁😊🙂😍🥰😘👍🙏❤💯🎉👏]/u, 2],
  [/[😡😠🤬👎😤😞😢😭💔]/u, -2],
];

/** The mood of one message, -1…1 (VADER's normalisation of the summed word weights). */
export function scoreSentiment(text: string): number {
  let sum = 0;
  // A negation or an intensifier reaches the next three words of its own clause.
  for (const clause of text.split(/[.!?;,\n]+/)) {
    const words = words_(clause);
    for (const [index, word] of words.entries()) {
      let weight = LEXICON[word];
      if (!weight) continue;
      const before = words.slice(Math.max(0, index - 3), index);
      if (before.some((candidate) => INTENSIFIERS.has(candidate))) weight *= 1.5;
      if (before.some((candidate) => NEGATIONS.has(candidate))) weight *= -0.75;
      sum += weight;
    }
  }
  for (const [pattern, weight] of EMOJI) {
    for (const char of text) if (pattern.test(char)) sum += weight;
  }
  if (sum !== 0 && /!{2,}/.test(text)) sum *= 1.2;
  return sum / Math.sqrt(sum * sum + 15);
}

export function sentimentLabel(score: number): TSentiment {
  if (score > SENTIMENT_THRESHOLD) return "positive";
  if (score < -SENTIMENT_THRESHOLD) return "negative";
  return "neutral";
}

/** Common things people write to a business about, and words that signal them. */
const BUILT_IN_TOPICS: Record<string, string[]> = {
  pricing: [
    "price",
    "prices",
    "pricing",
    "cost",
    "costs",
    "quote",
    "expensive",
    "cheap",
    "precio",
    "precios",
    "preco",
    "cuanto",
    "quanto",
  ],
  hours: ["hours", "open", "opening", "closed", "closing", "horario", "abierto", "aberto"],
  booking: [
    "book",
    "booking",
    "appointment",
    "reservation",
    "reserve",
    "schedule",
    "cita",
    "reserva",
    "agendar",
    "marcar",
  ],
  order: ["order", "orders", "purchase", "bought", "pedido", "compra", "encomenda"],
  delivery: [
    "delivery",
    "deliver",
    "shipping",
    "shipment",
    "tracking",
    "courier",
    "arrive",
    "arrived",
    "envio",
    "entrega",
  ],
  refund: ["refund", "return", "reembolso", "devolucion", "devolucao"],
  payment: ["pay", "payment", "paid", "card", "invoice", "bill", "pago", "pagamento", "factura", "fatura"],
  location: ["address", "location", "directions", "direccion", "endereco"],
  complaint: ["complaint", "complain", "unacceptable", "terrible", "awful", "worst", "queja", "reclamacao"],
};

const STOPWORDS = new Set([
  "the",
  "and",
  "for",
  "our",
  "your",
  "with",
  "about",
  "from",
  "that",
  "this",
  "what",
  "when",
  "how",
  "any",
  "los",
  "las",
  "del",
  "con",
  "para",
  "por",
  "que",
  "dos",
  "das",
  "com",
  "uma",
  "um",
]);

/** Folded words of a text. */
function words_(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}']+/u)
    .filter(Boolean);
}

/** A word without a plural or verb ending, so "bookings" meets "booking" and "book". */
function stem(word: string): string {
  for (const suffix of ["ing", "es", "ed", "s"]) {
    if (word.length - suffix.length >= 4 && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

/** The topics a message touches: built-in ones, and the profile's own (topics to cover and to avoid). */
export function detectTopics(text: string, profileTopics: readonly string[] = []): string[] {
  const words = words_(text);
  if (words.length === 0) return [];
  const present = new Set(words);
  const stems = new Set(words.map(stem));
  const found: string[] = [];
  for (const [topic, signals] of Object.entries(BUILT_IN_TOPICS)) {
    if (signals.some((signal) => present.has(signal))) found.push(topic);
  }
  for (const topic of profileTopics) {
    const name = topic.trim();
    if (!name) continue;
    // Words of the topic that carry meaning; a topic matches when any of them is in the message.
    const keys = words_(name).filter((word) => word.length >= 3 && !STOPWORDS.has(word));
    if (keys.some((key) => stems.has(stem(key)))) found.push(name.toLowerCase());
  }
  return [...new Set(found)];
}

export const EMPTY_LEARNED_CONTEXT: TLearnedContext = { topics: [], sentimentScore: 0, sentiment: "neutral" };

/** The conversation's context after one more message from the contact. */
export function learnFromMessage(
  previous: { topics: readonly string[]; sentimentScore: number | null },
  text: string,
  profileTopics: readonly string[] = [],
): TLearnedContext & { messageSentiment: TSentiment } {
  const messageScore = scoreSentiment(text);
  const before = previous.sentimentScore ?? 0;
  const score = messageScore === 0 ? before * FADE : RECENT_WEIGHT * messageScore + (1 - RECENT_WEIGHT) * before;
  const fresh = detectTopics(text, profileTopics);
  const topics = [...new Set([...fresh, ...previous.topics])].slice(0, MAX_TOPICS);
  const rounded = Math.round(score * 1000) / 1000;
  return {
    topics,
    sentimentScore: rounded,
    sentiment: sentimentLabel(rounded),
    messageSentiment: sentimentLabel(messageScore),
  };
}
