import type { TContentKind, TMessageContent } from "./content";

/** One valid content of every kind: the Simulator's presets, and the tests' examples. */
export const EXAMPLES: Record<TContentKind, TMessageContent> = {
  text: { kind: "text", text: "Hello" },
  image: { kind: "image", caption: "Our menu", media: { mimeType: "image/jpeg", width: 800, height: 600 } },
  video: { kind: "video", media: { mimeType: "video/mp4", durationS: 12 } },
  audio: { kind: "audio", media: { mimeType: "audio/mpeg" } },
  voice: { kind: "voice", media: { mimeType: "audio/ogg; codecs=opus", durationS: 4 } },
  document: { kind: "document", media: { mimeType: "application/pdf", fileName: "invoice.pdf", size: 2048 } },
  sticker: { kind: "sticker", media: { mimeType: "image/webp" } },
  location: { kind: "location", lat: -23.55, lng: -46.63, name: "Shop", address: "Rua A, 1" },
  contacts: { kind: "contacts", contacts: [{ name: "Ana Lima", phones: ["+5511999998888"] }] },
  reaction: { kind: "reaction", emoji: "👍", targetWaMessageId: "true_1@c.us_ABC" },
  button_reply: { kind: "button_reply", id: "yes", title: "Yes please" },
  list_reply: { kind: "list_reply", id: "row-2", title: "Tuesday", description: "10:00 to 12:00" },
  interactive: {
    kind: "interactive",
    body: "What do you need?",
    style: "buttons",
    options: [
      { id: "orders", title: "Orders" },
      { id: "returns", title: "Returns" },
      { id: "talk", title: "Talk to us" },
    ],
  },
  template: {
    kind: "template",
    name: "order_update",
    language: "en",
    components: [{ type: "body", text: "Your order 42 is on its way", params: ["42"] }],
  },
  unknown: { kind: "unknown", engineType: "poll_creation", text: "Lunch?" },
};

/**
 * What the Simulator sends for a kind picked beside its text box: the example of that kind with
 * the typed text in it (a text, a caption, a place's name, a choice's title, a reaction's emoji),
 * reacting to `lastWaMessageId` (the conversation's last message) when there is one.
 */
export function simulatedContent(kind: TContentKind, typed: string, lastWaMessageId: string | null): TMessageContent {
  const text = typed.trim();
  const example = EXAMPLES[kind];
  switch (example.kind) {
    case "text":
      return { kind: "text", text: typed };
    case "image":
    case "video":
    case "audio":
    case "voice":
    case "document":
    case "sticker": {
      const media = { kind: example.kind, ...(example.media ? { media: example.media } : {}) };
      return text ? { ...media, caption: text } : media;
    }
    case "location":
      return text ? { kind: "location", lat: example.lat, lng: example.lng, name: text } : example;
    case "button_reply":
    case "list_reply":
      return text ? { ...example, title: text } : example;
    case "reaction":
      return {
        kind: "reaction",
        emoji: text || example.emoji,
        targetWaMessageId: lastWaMessageId ?? "unknown-message",
      };
    case "unknown":
      return { kind: "unknown", engineType: example.engineType, ...(text ? { text } : {}) };
    default:
      return example;
  }
}
