"use client";

import { useTranslations } from "next-intl";
import { useInboxFormat } from "~/components/inbox/inbox-labels";
import { Badge } from "~/components/ui/badge";

/** What a thread row knows of its SLA clocks (set at hand-off from the team's targets; null: no target). */
export type TSlaClocks = {
  mode: string;
  sla: {
    firstHumanReplyAt: Date | string | null;
    firstResponseDueAt: Date | string | null;
    resolutionDueAt: Date | string | null;
    firstResponseBreachedAt: Date | string | null;
    resolutionBreachedAt: Date | string | null;
  };
};

/** Which SLA clocks run for a thread, and how each stands at `now` (pure, for the row and its test). */
export function slaClocks({ mode, sla }: TSlaClocks, now: number) {
  if (mode !== "human") return [];
  const clocks: { target: "firstResponse" | "resolution"; dueAt: Date; breached: boolean }[] = [];
  if (sla.firstResponseDueAt && !sla.firstHumanReplyAt) {
    const dueAt = new Date(sla.firstResponseDueAt);
    clocks.push({
      target: "firstResponse",
      dueAt,
      breached: sla.firstResponseBreachedAt !== null || dueAt.getTime() <= now,
    });
  }
  if (sla.resolutionDueAt) {
    const dueAt = new Date(sla.resolutionDueAt);
    clocks.push({
      target: "resolution",
      dueAt,
      breached: sla.resolutionBreachedAt !== null || dueAt.getTime() <= now,
    });
  }
  return clocks;
}

/**
 * A thread row's SLA timers: time left to the first response (until a person has replied) and
 * to resolution, or how long overdue, highlighted once breached.
 */
export function SlaTimers({ row, now }: { row: TSlaClocks; now: number }) {
  const t = useTranslations("domain.teamsUi.slaTimer");
  const format = useInboxFormat();
  return (
    <>
      {slaClocks(row, now).map((clock) => {
        const left = clock.dueAt.getTime() - now;
        return clock.breached ? (
          <Badge key={clock.target} tone="danger" data-testid="sla-timer" data-breached="true">
            {t(`${clock.target}Breached`, { duration: format.duration(clock.dueAt, now) })}
          </Badge>
        ) : (
          <Badge key={clock.target} tone="neutral" data-testid="sla-timer" data-breached="false">
            {t(clock.target, { duration: format.duration(new Date(now - left), now) })}
          </Badge>
        );
      })}
    </>
  );
}
