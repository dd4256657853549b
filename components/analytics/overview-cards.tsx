import { Card } from "~/components/ui/card";
import type { TFigures } from "~/server/analytics/overview";
import {
  describeChange,
  formatCount,
  formatDuration,
  formatFigure,
  formatRate,
  type TFigureKind,
} from "./analytics-format";

type TFigureCard = {
  label: string;
  kind: TFigureKind;
  value: (figures: TFigures) => number | null;
  /** The count behind the figure: when it is 0 now and before, there is no data to speak of. */
  basis: (figures: TFigures) => number;
  detail?: (figures: TFigures) => string;
};

const GROUPS: { title: string; cards: TFigureCard[] }[] = [
  {
    title: "Messages and contacts",
    cards: [
      { label: "Messages received", kind: "count", value: (f) => f.messagesIn, basis: (f) => f.messagesIn },
      { label: "Messages sent", kind: "count", value: (f) => f.messagesOut, basis: (f) => f.messagesOut },
      {
        label: "Active contacts",
        kind: "count",
        value: (f) => f.activeContacts,
        basis: (f) => f.activeContacts,
        detail: () => "Wrote at least once",
      },
      {
        label: "New contacts",
        kind: "count",
        value: (f) => f.newContacts,
        basis: (f) => f.newContacts,
        detail: () => "First seen in the period",
      },
    ],
  },
  {
    title: "Conversations",
    cards: [
      {
        label: "Active conversations",
        kind: "count",
        value: (f) => f.activeThreads,
        basis: (f) => f.activeThreads,
        detail: () => "With a message from the contact",
      },
      {
        label: "Resolved by the bot",
        kind: "count",
        value: (f) => f.botResolvedThreads,
        basis: (f) => f.activeThreads,
        detail: (f) =>
          f.activeThreads === 0
            ? "Bot answered, no person involved"
            : `${formatRate(f.botResolvedThreads / f.activeThreads)} of active`,
      },
      {
        label: "Handed off to people",
        kind: "count",
        value: (f) => f.handedOffThreads,
        basis: (f) => f.activeThreads,
        detail: () => "Active conversations handed over",
      },
      {
        label: "Hand-off rate",
        kind: "rate",
        value: (f) => f.handoffRate,
        basis: (f) => f.activeThreads,
        detail: () => "Share of active conversations",
      },
    ],
  },
  {
    title: "Replies and delivery",
    cards: [
      {
        label: "Bot first response (median)",
        kind: "duration",
        value: (f) => f.firstResponse.bot.median,
        basis: (f) => f.firstResponse.bot.count,
        detail: (f) =>
          `p90 ${formatDuration(f.firstResponse.bot.p90)} · ${formatCount(f.firstResponse.bot.count)} replies`,
      },
      {
        label: "People's first response (median)",
        kind: "duration",
        value: (f) => f.firstResponse.human.median,
        basis: (f) => f.firstResponse.human.count,
        detail: (f) =>
          `p90 ${formatDuration(f.firstResponse.human.p90)} · ${formatCount(f.firstResponse.human.count)} replies`,
      },
      {
        label: "Delivery success",
        kind: "rate",
        value: (f) => f.delivery.successRate,
        basis: (f) => f.delivery.sent + f.delivery.failed,
        detail: (f) =>
          `${formatCount(f.delivery.sent)} sent · ${formatCount(f.delivery.delivered)} delivered · ${formatCount(
            f.delivery.read,
          )} read · ${formatCount(f.delivery.failed)} failed`,
      },
      {
        label: "Webhook success",
        kind: "rate",
        value: (f) => f.webhooks.successRate,
        basis: (f) => f.webhooks.attempts,
        detail: (f) => `${formatCount(f.webhooks.succeeded)} of ${formatCount(f.webhooks.attempts)} attempts`,
      },
    ],
  },
  {
    title: "AI",
    cards: [
      {
        label: "AI replies",
        kind: "count",
        value: (f) => f.ai.calls,
        basis: (f) => f.ai.calls,
        detail: () => "Calls to the model",
      },
      {
        label: "AI latency (median)",
        kind: "duration",
        value: (f) => f.ai.latencyP50,
        basis: (f) => f.ai.calls,
        detail: (f) => `p95 ${formatDuration(f.ai.latencyP95)}`,
      },
      {
        label: "AI fallback rate",
        kind: "rate",
        value: (f) => f.ai.fallbackRate,
        basis: (f) => f.ai.calls,
        detail: () => "Calls answered by the fallback",
      },
    ],
  },
];

const ARROWS = { up: "▲", down: "▼", same: "=" } as const;

function FigureCard({ card, current, previous }: { card: TFigureCard; current: TFigures; previous: TFigures }) {
  const value = card.value(current);
  const before = card.value(previous);
  const hasNoData = card.basis(current) === 0 && card.basis(previous) === 0;
  const change = describeChange(value, before, card.kind);
  return (
    <Card className="flex flex-col gap-1 p-4" data-testid="analytics-figure">
      <dt className="text-sm font-medium text-muted-foreground">{card.label}</dt>
      {hasNoData ? (
        <>
          <dd className="text-lg font-semibold text-muted-foreground">No data yet</dd>
          <dd className="text-xs text-muted-foreground">Nothing in this period or the one before.</dd>
        </>
      ) : (
        <>
          <dd className="text-2xl font-semibold tabular-nums">{formatFigure(value, card.kind)}</dd>
          <dd className="text-xs text-muted-foreground">
            {change.direction ? (
              <span className="mr-1 font-medium text-foreground">
                <span aria-hidden="true">{ARROWS[change.direction]} </span>
                <span className="sr-only">{change.direction === "same" ? "" : `${change.direction} `}</span>
                {change.text}
              </span>
            ) : null}
            <span>
              {change.direction ? "· " : ""}before: {formatFigure(before, card.kind)}
            </span>
          </dd>
          {card.detail ? <dd className="text-xs text-muted-foreground">{card.detail(current)}</dd> : null}
        </>
      )}
    </Card>
  );
}

/** The period's figures, each beside the previous period's and the change, grouped by topic. */
export function OverviewCards({ current, previous }: { current: TFigures; previous: TFigures }) {
  return (
    <div className="space-y-5">
      {GROUPS.map((group) => (
        <section key={group.title}>
          <h3 className="mb-2 text-sm font-semibold">{group.title}</h3>
          <dl className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
            {group.cards.map((card) => (
              <FigureCard key={card.label} card={card} current={current} previous={previous} />
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}
