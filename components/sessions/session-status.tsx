"use client";

import { useFormatter, useNow, useTranslations } from "next-intl";
import { Badge } from "~/components/ui/badge";
import { retryOf, statusBadgeOf, type TSession } from "./session-labels";

/** "next try in 32 seconds (attempt 6)", counting down every second; "trying again now (attempt 7)" once due. */
function RetryLine({ session }: { session: TSession }) {
  const t = useTranslations("sessions");
  const format = useFormatter();
  const now = useNow({ updateInterval: 1_000 }).getTime();
  const retry = retryOf(session, now);
  if (!retry) return null;
  return (
    <span
      className="text-muted-foreground"
      data-testid="session-retry"
      aria-live="off"
      title={retry.at ? t("retry.at", { time: format.dateTime(retry.at, "seconds") }) : undefined}
    >
      {retry.at
        ? t("retry.waiting", { when: format.relativeTime(retry.at, now), attempt: retry.attempt })
        : t("retry.now", { attempt: retry.attempt })}
    </span>
  );
}

/**
 * The status badge ("Connected", "Waiting for a scan"…) and since when it has held, e.g. "3 minutes
 * ago"; for a session that keeps failing, one steady "Reconnecting" and when it tries again instead.
 */
export function SessionStatus({ session, now }: { session: TSession; now: number }) {
  const t = useTranslations("sessions");
  const format = useFormatter();
  const { label, tone } = statusBadgeOf(session);
  // The simulator is created ready and never reports a change: its status has held since creation.
  const since = new Date(session.statusChangedAt ?? session.createdAt);
  return (
    <span className="inline-flex flex-wrap items-center justify-end gap-2 text-sm">
      <Badge tone={tone} data-testid="session-status">
        {t(`status.${label}`)}
      </Badge>
      {label === "retrying" ? (
        <RetryLine session={session} />
      ) : (
        <time dateTime={since.toISOString()} title={format.dateTime(since, "short")} className="text-muted-foreground">
          {format.relativeTime(since, Math.max(now, since.getTime()))}
        </time>
      )}
    </span>
  );
}
