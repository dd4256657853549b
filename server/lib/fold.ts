/**
 * Lower case, accents removed: "Préço" → "preco". How text is compared wherever people's words
 * are matched (rule operators, topics and mood, the offline AI provider), so all of them agree.
 */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}
