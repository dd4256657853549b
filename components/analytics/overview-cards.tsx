import { Card } from "~/components/ui/card";
import type { TFigures } from "~/server/analytics/overview";
import { describeChange, type TFigureKind } from "./analytics-format";
import { type TAnalyticsFormat, useAnalyticsFormat } from "./use-analytics-format";

type TCardId =
  | "messagesIn"
  | "messagesOut"
  | "activeContacts"
  | "newContacts"
  | "activeThreads"
  | "botResolved"
  | "handedOff"
  | "handoffRate"
  | "botFirstResponse"
  | "humanFirstResponse"
  | "delivery"
  | "webhooks"
  | "aiCalls"
  | "aiLatency"
  | "aiFallback";

type TFigureCard = {
  /** Its label's key (`analytics.overview.card.<id>`). */
  id: TCardId;
  kind: TFigureKind;
  value: (figures: TFigures) => number | null;
  /** The count behind the figure: when it is 0 now and before, there is no data to speak of. */
  basis: (figures: TFigures) => number;
  detail?: (figures: TFigures, fmt: TAnalyticsFormat) => string;
};

const GROUPS: { id: "messages" | "conversations" | "replies" | "ai"; cards: TFigureCard[] }[] = [
  {
    id: "messages",
    cards: [
      { id: "messagesIn", kind: "count", value: (f) => f.messagesIn, basis: (f) => f.messagesIn },
      { id: "messagesOut", kind: "count", value: (f) => f.messagesOut, basis: (f) => f.messagesOut },
      {
        id: "activeContacts",
        kind: "count",
        value: (f) => f.activeContacts,
        basis: (f) => f.activeContacts,
        detail: (_f, { t }) => t("overview.detail.activeContacts"),
      },
      {
        id: "newContacts",
        kind: "count",
        value: (f) => f.newContacts,
        basis: (f) => f.newContacts,
        detail: (_f, { t }) => t("overview.detail.newContacts"),
      },
    ],
  },
  {
    id: "conversations",
    cards: [
      {
        id: "activeThreads",
        kind: "count",
        value: (f) => f.activeThreads,
        basis: (f) => f.activeThreads,
        detail: (_f, { t }) => t("overview.detail.activeThreads"),
      },
      {
        id: "botResolved",
        kind: "count",
        value: (f) => f.botResolvedThreads,
        basis: (f) => f.activeThreads,
        detail: (f, { t, rate }) =>
          f.activeThreads === 0
            ? t("overview.detail.botResolvedNone")
            : t("overview.detail.botResolved", { rate: rate(f.botResolvedThreads / f.activeThreads) }),
      },
      {
        id: "handedOff",
        kind: "count",
        value: (f) => f.handedOffThreads,
        basis: (f) => f.activeThreads,
        detail: (_f, { t }) => t("overview.detail.handedOff"),
      },
      {
        id: "handoffRate",
        kind: "rate",
        value: (f) => f.handoffRate,
        basis: (f) => f.activeThreads,
        detail: (_f, { t }) => t("overview.detail.handoffRate"),
      },
    ],
  },
  {
    id: "replies",
    cards: [
      {
        id: "botFirstResponse",
        kind: "duration",
        value: (f) => f.firstResponse.bot.median,
        basis: (f) => f.firstResponse.bot.count,
        detail: (f, { t, duration }) =>
          t("overview.detail.firstResponse", {
            p90: duration(f.firstResponse.bot.p90),
            count: f.firstResponse.bot.count,
          }),
      },
      {
        id: "humanFirstResponse",
        kind: "duration",
        value: (f) => f.firstResponse.human.median,
        basis: (f) => f.firstResponse.human.count,
        detail: (f, { t, duration }) =>
          t("overview.detail.firstResponse", {
            p90: duration(f.firstResponse.human.p90),
            count: f.firstResponse.human.count,
          }),
      },
      {
        id: "delivery",
        kind: "rate",
        value: (f) => f.delivery.successRate,
        basis: (f) => f.delivery.sent + f.delivery.failed,
        detail: (f, { t, count }) =>
          t("overview.detail.delivery", {
            sent: count(f.delivery.sent),
            delivered: count(f.delivery.delivered),
            read: count(f.delivery.read),
            failed: count(f.delivery.failed),
          }),
      },
      {
        id: "webhooks",
        kind: "rate",
        value: (f) => f.webhooks.successRate,
        basis: (f) => f.webhooks.attempts,
        detail: (f, { t, count }) =>
          t("overview.detail.webhooks", { succeeded: count(f.webhooks.succeeded), attempts: f.webhooks.attempts }),
      },
    ],
  },
  {
    id: "ai",
    cards: [
      {
        id: "aiCalls",
        kind: "count",
        value: (f) => f.ai.calls,
        basis: (f) => f.ai.calls,
        detail: (_f, { t }) => t("overview.detail.aiCalls"),
      },
      {
        id: "aiLatency",
        kind: "duration",
        value: (f) => f.ai.latencyP50,
        basis: (f) => f.ai.calls,
        detail: (f, { t, duration }) => t("overview.detail.aiLatency", { value: duration(f.ai.latencyP95) }),
      },
      {
        id: "aiFallback",
        kind: "rate",
        value: (f) => f.ai.fallbackRate,
        basis: (f) => f.ai.calls,
        detail: (_f, { t }) => t("overview.detail.aiFallback"),
      },
    ],
  },
];

const ARROWS = { up: "▲", down: "▼", same: "=" } as const;

function FigureCard({
  card,
  current,
  previous,
  fmt,
}: {
  card: TFigureCard;
  current: TFigures;
  previous: TFigures;
  fmt: TAnalyticsFormat;
}) {
  const { t } = fmt;
  const value = card.value(current);
  const before = card.value(previous);
  const hasNoData = card.basis(current) === 0 && card.basis(previous) === 0;
  const change = describeChange(value, before, card.kind);
  return (
    <Card className="flex min-w-0 flex-col gap-1 p-4" data-testid="analytics-figure">
      <dt className="text-sm font-medium text-muted-foreground">{t(`overview.card.${card.id}`)}</dt>
      {hasNoData ? (
        <>
          <dd className="text-lg font-semibold text-muted-foreground">{t("overview.noData")}</dd>
          <dd className="text-xs text-muted-foreground">{t("overview.noDataDetail")}</dd>
        </>
      ) : (
        <>
          <dd className="text-2xl font-semibold tabular-nums">{fmt.figure(value, card.kind)}</dd>
          <dd className="text-xs text-muted-foreground">
            {change ? (
              <span className="mr-1 font-medium text-foreground">
                <span aria-hidden="true">{ARROWS[change.direction]} </span>
                <span className="sr-only">
                  {change.direction === "same" ? "" : `${t(`overview.direction.${change.direction}`)} `}
                </span>
                {fmt.change(change.change, card.kind)}
              </span>
            ) : null}
            <span>
              {change ? "· " : ""}
              {t("overview.before", { value: fmt.figure(before, card.kind) })}
            </span>
          </dd>
          {card.detail ? <dd className="text-xs text-muted-foreground">{card.detail(current, fmt)}</dd> : null}
        </>
      )}
    </Card>
  );
}

/** The period's figures, each beside the previous period's and the change, grouped by topic. */
export function OverviewCards({ current, previous }: { current: TFigures; previous: TFigures }) {
  const fmt = useAnalyticsFormat();
  return (
    <div className="space-y-5">
      {GROUPS.map((group) => (
        <section key={group.id}>
          <h3 className="mb-2 text-sm font-semibold">{fmt.t(`overview.group.${group.id}`)}</h3>
          <dl className="grid gap-3 min-[480px]:grid-cols-2 xl:grid-cols-4">
            {group.cards.map((card) => (
              <FigureCard key={card.id} card={card} current={current} previous={previous} fmt={fmt} />
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}
