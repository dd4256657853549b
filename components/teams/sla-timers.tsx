"use client";

import { useTranslations } from "next-intl";
import { useInboxFormat } from "~/components/inbox/inbox-labels";
import { Badge } from "~/components/ui/badge";

/** What a thread row knows of its SLA clocks (set at hand-off from the team's targets; null: no target). */
export type TSlaClocks = {
  mode: string;
  firstHumanReplyAt: Date | string | null;
  slaFirstResponseDueAt: Date | string | null;
  slaResolutionDueAt: Date | string | null;
  slaFirstResponseBreachedAt: Date | string | null;
  slaResolutionBreachedAt: Date | string | null;
};

/** Which SLA clocks run for a thread, and how each stands at `now` (pure, for the row and its test). */
export function slaClocks(row: TSlaClocks, now: number) {
  if (row.mode !== "human") return [];
  const clocks: { target: "firstResponse" | "resolution"; dueAt: Date; breached: boolean }[] = [];
  if (row.slaFirstResponseDueAt && !row.firstHumanReplyAt) {
    const dueAt = new Date(row.slaFirstResponseDueAt);
    clocks.push({
      target: "firstResponse",
      dueAt,
      breached: row.slaFirstResponseBreachedAt !== null || dueAt.getTime() <= now,
    });
  }
  if (row.slaResolutionDueAt) {
    const dueAt = new Date(row.slaResolutionDueAt);
    clocks.push({
      target: "resolution",
      dueAt,
      breached: row.slaResolutionBreachedAt !== null || dueAt.getTime() <= now,
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
