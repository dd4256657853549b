/** A message as a transcript line needs it (what the REST API's message pages hold). */
export type TTranscriptMessage = {
  direction: "in" | "out";
  source: string;
  body: string;
  status: string;
  createdAt: Date | string;
};

const WHO: Record<string, string> = {
  contact: "Contact",
  rule: "Bot (rule)",
  ai: "Bot (AI)",
  flow: "Bot (flow)",
  agent: "Agent",
  api: "API",
  phone: "Phone",
};

/**
 * A conversation as plain text for an AI agent: one line per message, oldest first (the pages
 * come newest first), each with its time, who wrote it and, for ours, its delivery status.
 */
export function transcriptOf(newestFirst: readonly TTranscriptMessage[]): string {
  if (newestFirst.length === 0) return "(no messages)";
  return [...newestFirst]
    .reverse()
    .map((message) => {
      const at = new Date(message.createdAt).toISOString().replace("T", " ").slice(0, 19);
      const who = message.direction === "in" ? "Contact" : (WHO[message.source] ?? message.source);
      const status = message.direction === "out" ? ` (${message.status})` : "";
      return `[${at}] ${who}${status}: ${message.body}`;
    })
    .join("\n");
}
