"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useSearchParams } from "next/navigation";
import { useSyncExternalStore } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { AgentsTable } from "./agents-table";
import { AiUsageSection } from "./ai-usage-section";
import { bucketFor, rangeSearch, readRange, toLocalDay, type TAnalyticsRange } from "./analytics-range";
import { BusiestHours } from "./busiest-hours";
import { ANALYTICS_THEME_CLASS } from "./chart-theme";
import { CsvLink } from "./csv-link";
import { FlowsSection } from "./flows-section";
import { HandoffsChart } from "./handoffs-chart";
import { MessagesChart } from "./messages-chart";
import { StuckSummary } from "~/components/outbox/stuck-sends";
import { OverviewCards } from "./overview-cards";
import { RangeControls } from "./range-controls";
import { ResponseTimeChart } from "./response-time-chart";
import { RulesTable } from "./rules-table";
import { TeamsSection } from "./teams-section";
import { useAnalyticsFormat } from "./use-analytics-format";

const subscribeNever = () => () => {};

/**
 * The browser's local day: null while rendering on the server, so the default range (which
 * depends on it) is only computed in the browser and never mismatches during hydration.
 */
function useToday(): string | null {
  return useSyncExternalStore(
    subscribeNever,
    () => toLocalDay(new Date()),
    () => null,
  );
}

/**
 * The Analytics page: range and session in the URL (`?from=…&to=…&session=…`, the last 30 days
 * by default), the period's figures against the previous period, the charts, the rules and
 * people tables, and a CSV download for each.
 */
export function AnalyticsWorkspace({ canFilterBySession }: { canFilterBySession: boolean }) {
  const today = useToday();
  const range = readRange(useSearchParams(), today);
  const tc = useTranslations("common");
  return (
    <div className={ANALYTICS_THEME_CLASS}>
      {range && today ? (
        <AnalyticsBody range={range} today={today} canFilterBySession={canFilterBySession} />
      ) : (
        <p className="text-sm text-muted-foreground">{tc("loading")}</p>
      )}
    </div>
  );
}

function AnalyticsBody({
  range,
  today,
  canFilterBySession,
}: {
  range: TAnalyticsRange;
  today: string;
  canFilterBySession: boolean;
}) {
  const trpc = useTRPC();
  const fmt = useAnalyticsFormat();
  const { t } = fmt;
  const tc = useTranslations("common");
  const input = { from: range.from, to: range.to, sessionId: range.sessionId };
  const bucket = bucketFor(range);
  const keep = { placeholderData: keepPreviousData };
  const sessions = useQuery({ ...trpc.sessions.list.queryOptions(), enabled: canFilterBySession });
  const overview = useQuery({ ...trpc.analytics.overview.queryOptions(input), ...keep });
  const messages = useQuery({ ...trpc.analytics.messages.queryOptions({ ...input, bucket }), ...keep });
  const responseTimes = useQuery({ ...trpc.analytics.responseTimes.queryOptions(input), ...keep });
  const busiest = useQuery({ ...trpc.analytics.busiestHours.queryOptions(input), ...keep });
  const rules = useQuery({ ...trpc.analytics.rules.queryOptions(input), ...keep });
  const agents = useQuery({ ...trpc.analytics.agents.queryOptions(input), ...keep });
  const failure =
    overview.error ?? messages.error ?? responseTimes.error ?? busiest.error ?? rules.error ?? agents.error;

  // Client-side only: Next.js syncs useSearchParams with the History API, no server round trip.
  const changeRange = (next: TAnalyticsRange) => window.history.pushState(null, "", rangeSearch(next));
  const sessionName = range.sessionId
    ? (sessions.data?.find((session) => session.id === range.sessionId)?.name ?? t("overview.oneSession"))
    : t("overview.allSessions");
  const days = overview.data?.range.days;
  // While a new range loads, the previous one stays on screen, dimmed.
  const isUpdating = [overview, messages, responseTimes, busiest, rules, agents].some(
    (query) => query.isPlaceholderData,
  );

  return (
    <>
      <RangeControls
        range={range}
        today={today}
        sessions={canFilterBySession && sessions.data ? sessions.data : null}
        onChange={changeRange}
      />
      {failure ? (
        <Alert tone="error" className="mb-6">
          {describeError(failure).message}
        </Alert>
      ) : null}
      <div aria-busy={isUpdating} className={isUpdating ? "space-y-6 opacity-60 transition-opacity" : "space-y-6"}>
        <Card>
          <CardHeader
            title={t("overview.title")}
            description={
              overview.data
                ? t("overview.description", {
                    from: fmt.day(range.from, true),
                    to: fmt.day(range.to, true),
                    days: days ?? 0,
                    session: sessionName,
                    timeZone: overview.data.range.timeZone,
                  })
                : t("overview.descriptionPending")
            }
            actions={<CsvLink kind="overview" range={range} label={t("csv.overview")} />}
          />
          <CardBody aria-busy={overview.isPending}>
            {overview.data ? (
              <>
                <OverviewCards current={overview.data.current} previous={overview.data.previous} />
                <StuckSummary stuck={overview.data.stuck} />
              </>
            ) : (
              <p className="text-sm text-muted-foreground">
                {overview.isPending ? tc("loading") : t("overview.nothing")}
              </p>
            )}
          </CardBody>
        </Card>
        <MessagesChart
          points={messages.data ?? []}
          bucket={bucket}
          isPending={messages.isPending}
          actions={<CsvLink kind="messages" range={range} bucket={bucket} label={t("csv.messages")} />}
        />
        <div className="grid gap-6 lg:grid-cols-2 [&>*]:min-w-0">
          <ResponseTimeChart
            points={responseTimes.data ?? []}
            isPending={responseTimes.isPending}
            actions={<CsvLink kind="responseTimes" range={range} label={t("csv.responseTimes")} />}
          />
          <HandoffsChart
            points={messages.data ?? []}
            bucket={bucket}
            isPending={messages.isPending}
            actions={<CsvLink kind="messages" range={range} bucket={bucket} label={t("csv.handoffs")} />}
          />
        </div>
        <BusiestHours
          cells={busiest.data ?? []}
          isPending={busiest.isPending}
          actions={<CsvLink kind="busiestHours" range={range} label={t("csv.busiestHours")} />}
        />
        <RulesTable
          rows={rules.data ?? []}
          isPending={rules.isPending}
          actions={<CsvLink kind="rules" range={range} label={t("csv.rules")} />}
        />
        <AgentsTable
          rows={agents.data ?? []}
          isPending={agents.isPending}
          actions={<CsvLink kind="agents" range={range} label={t("csv.agents")} />}
        />
        <TeamsSection range={input} />
        <FlowsSection range={input} />
        <AiUsageSection range={input} />
      </div>
    </>
  );
}
