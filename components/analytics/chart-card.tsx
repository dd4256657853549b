import { useTranslations } from "next-intl";
import { useId, type ReactNode } from "react";
import { Card, CardBody, CardHeader } from "~/components/ui/card";

export type TLegendItem = { label: string; color: string; dashed?: boolean; shape?: "line" | "bar" };

/**
 * A chart in a card: title, what it counts, its CSV button, a legend in plain text, and a
 * caption that says in words what the chart shows (the chart's text alternative).
 */
export function ChartCard({
  title,
  description,
  actions,
  legend,
  summary,
  isEmpty,
  emptyText,
  isPending,
  className,
  children,
}: {
  title: string;
  description: string;
  actions?: ReactNode;
  legend?: TLegendItem[];
  summary: string;
  isEmpty: boolean;
  emptyText: string;
  isPending: boolean;
  className?: string;
  children: ReactNode;
}) {
  const captionId = useId();
  const t = useTranslations("analytics.chart");
  const tc = useTranslations("common");
  return (
    <Card className={className}>
      <CardHeader title={title} description={description} actions={actions} />
      <CardBody>
        <figure aria-labelledby={captionId} className="m-0">
          {legend && !isEmpty && !isPending ? <ChartLegend items={legend} /> : null}
          {isPending ? (
            <div className="flex h-60 items-center justify-center text-sm text-muted-foreground">{tc("loading")}</div>
          ) : isEmpty ? (
            <div className="flex h-60 items-center justify-center rounded-md bg-muted px-4 text-center text-sm text-[color:color-mix(in_oklab,var(--muted-foreground)_60%,var(--foreground))]">
              {emptyText}
            </div>
          ) : (
            children
          )}
          <figcaption id={captionId} className="mt-3 text-sm text-muted-foreground">
            {isPending ? t("loadingCaption", { title }) : summary}
          </figcaption>
        </figure>
      </CardBody>
    </Card>
  );
}

export function ChartLegend({ items }: { items: TLegendItem[] }) {
  const t = useTranslations("analytics.chart");
  return (
    <ul className="mb-2 flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label={t("legend")}>
      {items.map((item) => (
        <li key={item.label} className="flex items-center gap-2">
          <svg width="20" height="10" aria-hidden="true" className="shrink-0">
            {item.shape === "bar" ? (
              <rect x="4" y="0" width="12" height="10" rx="1" fill={item.color} />
            ) : (
              <line
                x1="0"
                y1="5"
                x2="20"
                y2="5"
                stroke={item.color}
                strokeWidth="3"
                strokeDasharray={item.dashed ? "4 3" : undefined}
              />
            )}
          </svg>
          {item.label}
        </li>
      ))}
    </ul>
  );
}
