"use client";

import { useNow } from "~/components/inbox/inbox-labels";
import { Badge } from "~/components/ui/badge";
import { describeRetry, formatSince, statusBadgeOf, type TSession } from "./session-labels";

/** "retrying in 32 s (attempt 6)", counting down every second. */
function RetryCountdown({ session }: { session: TSession }) {
  const now = useNow(1_000);
  return (
    <span className="text-muted-foreground" data-testid="session-retry" aria-live="off">
      {describeRetry(session, now)}
    </span>
  );
}

/**
 * The status badge ("Connected", "Failed"…) and how long it has held, e.g. "for 3 min"; for a
 * session that keeps failing, when it tries again instead ("Failed · retrying in 32 s (attempt 6)").
 */
export function SessionStatus({ session, now }: { session: TSession; now: number }) {
  const { label, tone } = statusBadgeOf(session);
  // The simulator is created ready and never reports a change: its status has held since creation.
  const since = session.statusChangedAt ?? session.createdAt;
  return (
    <span className="inline-flex flex-wrap items-center gap-2 text-sm">
      <Badge tone={tone} data-testid="session-status">
        {label}
      </Badge>
      {describeRetry(session, now) !== null ? (
        <RetryCountdown session={session} />
      ) : (
        <time
          dateTime={new Date(since).toISOString()}
          title={new Date(since).toLocaleString()}
          className="text-muted-foreground"
        >
          for {formatSince(since, now)}
        </time>
      )}
    </span>
  );
}
