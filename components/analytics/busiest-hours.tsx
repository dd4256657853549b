import type { ReactNode } from "react";
import { formatHourSpan } from "./analytics-format";
import { ChartCard } from "./chart-card";
import { type TAnalyticsFormat, useAnalyticsFormat } from "./use-analytics-format";

export type TBusiestCell = { weekday: number; hour: number; messages: number };

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
/** 1 = Monday … 7 = Sunday, as the server counts them. */
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const LEGEND_STEPS = [0, 0.25, 0.5, 0.75, 1];

/** A cell's shade: the muted background for none, then the primary colour, stronger with more messages. */
function shade(messages: number, max: number): string {
  if (messages === 0 || max === 0) return "var(--muted)";
  return `color-mix(in oklab, var(--primary) ${Math.round(15 + (85 * messages) / max)}%, var(--card))`;
}

/** What the heatmap shows, in words: the busiest slot and how many slots had messages. */
export function summariseBusiestHours(cells: TBusiestCell[], fmt: TAnalyticsFormat): string {
  if (cells.length === 0) return fmt.t("busiest.summaryNone");
  const busiest = cells.reduce((best, cell) => (cell.messages > best.messages ? cell : best));
  return fmt.t("busiest.summary", {
    weekday: fmt.weekday(busiest.weekday),
    hours: formatHourSpan(busiest.hour),
    messages: busiest.messages,
    slots: cells.length,
  });
}

/** Messages received by weekday (rows) and hour of the day (columns), as a shaded table. */
export function BusiestHours({
  cells,
  isPending,
  actions,
}: {
  cells: TBusiestCell[];
  isPending: boolean;
  actions?: ReactNode;
}) {
  const fmt = useAnalyticsFormat();
  const { t } = fmt;
  const counts = new Map(cells.map((cell) => [`${cell.weekday}-${cell.hour}`, cell.messages]));
  const max = cells.reduce((most, cell) => Math.max(most, cell.messages), 0);
  return (
    <ChartCard
      title={t("busiest.title")}
      description={t("busiest.description")}
      actions={actions}
      summary={summariseBusiestHours(cells, fmt)}
      isEmpty={cells.length === 0}
      emptyText={t("busiest.empty")}
      isPending={isPending}
    >
      <>
        <div className="relative overflow-x-auto" tabIndex={0}>
          <table className="w-full min-w-[40rem] table-fixed border-separate border-spacing-0.5 text-xs">
            <caption className="sr-only">{t("busiest.caption")}</caption>
            <thead>
              <tr>
                <th scope="col" className="w-12">
                  <span className="sr-only">{t("busiest.weekday")}</span>
                </th>
                {HOURS.map((hour) => (
                  <th key={hour} scope="col" className="pb-1 text-center font-normal text-muted-foreground">
                    <span aria-hidden="true">{String(hour).padStart(2, "0")}</span>
                    <span className="sr-only">{formatHourSpan(hour)}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {WEEKDAYS.map((weekday) => {
                const name = fmt.weekday(weekday);
                return (
                  <tr key={weekday}>
                    <th scope="row" className="pr-2 text-left font-normal text-muted-foreground">
                      <span aria-hidden="true">{fmt.weekday(weekday, "short")}</span>
                      <span className="sr-only">{name}</span>
                    </th>
                    {HOURS.map((hour) => {
                      const messages = counts.get(`${weekday}-${hour}`) ?? 0;
                      return (
                        <td
                          key={hour}
                          title={t("busiest.cell", { weekday: name, hours: formatHourSpan(hour), messages })}
                          className="h-6 rounded-sm"
                          style={{ background: shade(messages, max) }}
                        >
                          <span className="sr-only">{fmt.count(messages)}</span>
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div className="mt-3 flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
          <span>{t("busiest.fewer")}</span>
          {LEGEND_STEPS.map((step) => (
            <span
              key={step}
              aria-hidden="true"
              className="inline-block size-4 rounded-sm"
              style={{ background: shade(step * max, max) }}
            />
          ))}
          <span>{t("busiest.more")}</span>
          <span className="ml-2">{t("busiest.scale", { max })}</span>
        </div>
      </>
    </ChartCard>
  );
}
