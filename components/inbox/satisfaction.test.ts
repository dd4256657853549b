import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { LOCALES } from "~/server/i18n/locales";
import { renderInLocale } from "~/tests/support/render-intl";
import type { TInboxMessage, TInboxThread } from "./inbox-labels";
import { MessageBubble } from "./message-bubble";
import { Satisfaction } from "./satisfaction";

const NOW = Date.parse("2026-03-06T15:00:00Z");
const SURVEY = {
  surveyId: "s-1",
  sentAt: new Date("2026-03-06T14:00:00Z"),
  expiresAt: new Date("2026-03-07T14:00:00Z"),
  answeredAt: new Date("2026-03-06T14:30:00Z"),
  score: 4,
  comment: "Quick <and> kind",
  agentUserId: "u-1",
  agentName: "Ana",
  teamId: "t-1",
  teamName: "Support",
} satisfies NonNullable<TInboxThread["satisfaction"]>;
const render = (locale: (typeof LOCALES)[number], satisfaction: TInboxThread["satisfaction"]) =>
  renderInLocale(locale, createElement(Satisfaction, { satisfaction, now: NOW }));

describe("the satisfaction survey on a conversation", () => {
  it("shows the score with stars, for whom, and the comment untranslated, in every language", () => {
    for (const locale of LOCALES) {
      const html = render(locale, SURVEY);
      expect(html).toContain("★★★★☆");
      expect(html).toMatch(/4 (of|de) 5/);
      expect(html).toMatch(/<blockquote[^>]*translate="no"><span class="sr-only">[^<]+<\/span>Quick &lt;and&gt; kind/);
      expect(html).toContain("Ana");
    }
    expect(render("en", SURVEY)).toContain("Answered 30 minutes ago");
  });

  it("says a survey waits, or went unanswered, and shows nothing for a conversation never surveyed", () => {
    const waiting = { ...SURVEY, answeredAt: null, score: null, comment: null };
    expect(render("en", waiting)).toContain("Survey sent 1 hour ago, awaiting an answer");
    expect(render("en", { ...waiting, expiresAt: new Date("2026-03-06T14:59:00Z") })).toContain(
      "Survey sent 1 hour ago, not answered",
    );
    expect(render("es", waiting)).toContain("esperando respuesta");
    expect(render("en", null)).toBe("");
  });

  it("names Switchboard's own messages in the conversation: the survey's by name, an acknowledgement as Switchboard; a rule-less bot message is the default reply", () => {
    const base = {
      id: "m-1",
      seq: 1,
      direction: "out",
      status: "sent",
      body: "How would you rate the help you received?",
      content: { kind: "text", text: "How would you rate the help you received?" },
      createdAt: new Date("2026-03-06T14:05:00Z"),
      source: "system",
      ruleId: null,
      ruleName: null,
      ruleVersion: null,
      aiLatencyMs: null,
      authorName: null,
      noReplyReason: null,
      error: null,
      waMessageId: null,
    };
    const bubble = (locale: (typeof LOCALES)[number], survey: boolean, source = "system") =>
      renderInLocale(
        locale,
        createElement(MessageBubble, { message: { ...base, source, survey } as unknown as TInboxMessage, now: NOW }),
      );
    expect(bubble("en", true)).toContain("Satisfaction survey");
    expect(bubble("pt-BR", true)).toContain("Pesquisa de satisfação");
    expect(bubble("en", false)).not.toContain("Satisfaction survey");
    expect(bubble("en", false)).toContain("Switchboard");
    expect(bubble("en", false, "rule")).toContain("Default reply");
  });
});
