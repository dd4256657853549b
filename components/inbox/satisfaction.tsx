"use client";

import { useFormatter, useTranslations } from "next-intl";
import { Badge } from "~/components/ui/badge";
import type { TInboxThread } from "./inbox-labels";

/**
 * The conversation's satisfaction survey, under its header: the score the contact gave (with
 * stars), for whom, and their comment; or that the survey was sent and waits (or went
 * unanswered). Nothing for a conversation never surveyed (server/teams/survey.ts).
 */
export function Satisfaction({ satisfaction, now }: { satisfaction: TInboxThread["satisfaction"]; now: number }) {
  const t = useTranslations("domain.satisfaction");
  const format = useFormatter();
  if (!satisfaction) return null;
  const when = (at: Date) => format.relativeTime(new Date(at), now);
  const { score } = satisfaction;
  if (score === null || !satisfaction.answeredAt) {
    const expired = new Date(satisfaction.expiresAt).getTime() <= now;
    return (
      <p className="border-b border-border px-4 py-2 text-xs text-muted-foreground" data-testid="satisfaction">
        {t(expired ? "expired" : "pending", { when: when(satisfaction.sentAt) })}
      </p>
    );
  }
  const tone = score >= 4 ? "success" : score === 3 ? "warning" : "danger";
  return (
    <section
      className="flex flex-wrap items-center gap-2 border-b border-border px-4 py-2 text-sm"
      aria-label={t("label")}
      data-testid="satisfaction"
    >
      <span className="font-medium">{t("label")}</span>
      <Badge tone={tone}>
        <span aria-hidden>{"★".repeat(score) + "☆".repeat(5 - score)}</span>
        <span className="ml-1">{t("score", { score })}</span>
      </Badge>
      <span className="text-xs text-muted-foreground">
        {t("answered", { when: when(satisfaction.answeredAt) })}
        {satisfaction.agentName ? (
          <>
            {" "}
            <span translate="no">{t("byAgent", { agent: satisfaction.agentName })}</span>
          </>
        ) : null}
      </span>
      {satisfaction.comment ? (
        <blockquote className="w-full border-l-2 border-border pl-2 text-sm italic" translate="no">
          <span className="sr-only">{t("comment")}: </span>
          {satisfaction.comment}
        </blockquote>
      ) : null}
    </section>
  );
}
