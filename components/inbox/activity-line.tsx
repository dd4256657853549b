"use client";

import { useFormatter, useTranslations } from "next-intl";
import { type TInboxActivity, useInboxFormat } from "./inbox-labels";

const PRIORITIES = ["none", "low", "medium", "high", "urgent"] as const;
function isPriority(value: unknown): value is (typeof PRIORITIES)[number] {
  return typeof value === "string" && (PRIORITIES as readonly string[]).includes(value);
}

/**
 * One line of a conversation's activity between its messages: who did what (handed off, took
 * over, assigned, released, closed, reopened, snoozed, woke, changed priority or labels), an SLA
 * breach or a survey answer, and when.
 */
export function ActivityLine({ item, now }: { item: TInboxActivity; now: number }) {
  const t = useTranslations("domain.inboxWork.ui.activity");
  const tPriority = useTranslations("domain.inboxWork.ui.priority");
  const format = useFormatter();
  const inboxFormat = useInboxFormat();
  const byWords: Record<string, string> = {
    policy: t("byPolicy"),
    rule: t("byRule"),
    flow: t("byFlow"),
    api: t("byApi"),
    phone: t("byPhone"),
    ai: t("byAi"),
  };
  const who = item.byName ?? (item.by ? (byWords[item.by] ?? t("someone")) : t("bySwitchboard"));
  const { payload } = item;
  const text = (() => {
    switch (item.type) {
      case "thread.handoff":
        return t("handoff", { who });
      case "thread.assigned":
        return payload.takeover
          ? t("takeover", { who })
          : t("assigned", { who, assignee: item.assigneeName ?? t("someone") });
      case "thread.released":
        return t("released", { who });
      case "thread.closed":
        return t("closed", { who });
      case "thread.reopened":
        return t("reopened", { who });
      case "thread.snoozed":
        return payload.until
          ? t("snoozed", { who, time: format.dateTime(new Date(payload.until), "short") })
          : t("snoozedContact", { who });
      case "thread.woke":
        return payload.reason === "time"
          ? t("wokeTime")
          : payload.reason === "contact"
            ? t("wokeContact")
            : t("wokeBy", { who });
      case "thread.updated": {
        const parts: string[] = [];
        if (isPriority(payload.priority)) parts.push(t("priority", { who, priority: tPriority(payload.priority) }));
        if (payload.labels) {
          parts.push(
            payload.labels.length > 0
              ? t("labels", { who, labels: payload.labels.join(", ") })
              : t("noLabels", { who }),
          );
        }
        return parts.join(" · ");
      }
      case "thread.sla_breached":
        return t("slaBreached", {
          target: payload.target === "resolution" ? t("slaResolution") : t("slaFirstResponse"),
        });
      case "thread.survey_answered":
        return t("survey", { score: payload.score ?? "?" });
    }
  })();
  return (
    <div className="flex justify-center" data-testid="activity" data-type={item.type}>
      <p className="max-w-[85%] rounded-full bg-muted px-3 py-0.5 text-center text-xs text-foreground/80">
        <span>{text}</span>
        <span aria-hidden="true"> · </span>
        <time dateTime={item.at}>{inboxFormat.stamp(item.at, now)}</time>
      </p>
    </div>
  );
}
