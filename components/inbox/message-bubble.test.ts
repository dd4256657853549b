import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { LOCALES } from "~/server/i18n/locales";
import { renderInLocale } from "~/tests/support/render-intl";
import type { TInboxMessage, TInboxNote } from "./inbox-labels";
import { MessageBubble, NoteCard } from "./message-bubble";

const render = renderInLocale;

const NOW = Date.parse("2026-03-06T15:00:00Z");
const BASE = {
  id: "m-1",
  seq: 1,
  direction: "out",
  status: "read",
  body: "Hello",
  content: { kind: "text", text: "Hello" },
  createdAt: new Date("2026-03-06T14:05:00Z"),
  ruleId: null,
  ruleName: null,
  ruleVersion: null,
  aiLatencyMs: null,
  authorName: null,
  noReplyReason: null,
  error: null,
  waMessageId: null,
};
const message = (fields: Record<string, unknown>) => ({ ...BASE, ...fields }) as unknown as TInboxMessage;

const VARIANTS = [
  message({ direction: "in", source: "contact", noReplyReason: "reply_cap" }),
  message({ direction: "in", source: "contact", noReplyReason: "opted_out" }),
  message({ direction: "in", source: "contact", noReplyReason: "blocked" }),
  message({ source: "rule" }),
  message({ source: "rule", ruleId: "r-1", ruleName: "Prices", ruleVersion: 3 }),
  message({ source: "ai", aiLatencyMs: 1234 }),
  message({ source: "agent", authorName: null, status: "queued" }),
  message({ source: "phone", status: "failed", error: "boom" }),
  message({ source: "api", createdAt: new Date("2026-03-01T10:00:00Z") }),
];

describe("a message bubble in each language", () => {
  for (const locale of LOCALES) {
    it(`${locale}: every source, tick and unanswered reason renders from the catalogue`, () => {
      for (const variant of VARIANTS) render(locale, createElement(MessageBubble, { message: variant, now: NOW }));
      render(
        locale,
        createElement(NoteCard, {
          note: { id: "n-1", body: "Call back", authorName: null, createdAt: new Date(NOW) } as unknown as TInboxNote,
          now: NOW,
        }),
      );
    });
  }

  it("says who wrote it and when in the reader's words, in the organisation's time zone", () => {
    const ai = message({ source: "ai", aiLatencyMs: 1234 });
    expect(render("en", createElement(MessageBubble, { message: ai, now: NOW }))).toContain("AI (1.2 sec)");
    const spanish = render("es", createElement(MessageBubble, { message: ai, now: NOW }));
    expect(spanish).toContain("IA (1,2 s)");
    expect(spanish).toContain(">11:05<"); // 14:05 UTC in São Paulo, today
    expect(spanish).toContain('aria-label="leído"');
    const older = message({ source: "agent", authorName: "Ana", createdAt: new Date("2026-03-01T10:00:00Z") });
    expect(render("pt-BR", createElement(MessageBubble, { message: older, now: NOW }))).toContain("Atendente Ana");
  });
});
