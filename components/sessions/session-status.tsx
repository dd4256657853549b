import { Badge } from "~/components/ui/badge";
import { formatSince, SESSION_STATUS, type TSession } from "./session-labels";

/** The status badge ("Connected", "Failed"…) and how long it has held, e.g. "for 3 min". */
export function SessionStatus({ session, now }: { session: TSession; now: number }) {
  const { label, tone } = SESSION_STATUS[session.status];
  // The simulator is created ready and never reports a change: its status has held since creation.
  const since = session.statusChangedAt ?? session.createdAt;
  return (
    <span className="inline-flex flex-wrap items-center gap-2 text-sm">
      <Badge tone={tone} data-testid="session-status">
        {label}
      </Badge>
      <time
        dateTime={new Date(since).toISOString()}
        title={new Date(since).toLocaleString()}
        className="text-muted-foreground"
      >
        for {formatSince(since, now)}
      </time>
    </span>
  );
}
