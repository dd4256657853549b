import type { ReactNode } from "react";
import { formatCount, formatHourSpan, WEEKDAY_NAMES } from "./analytics-format";
import { ChartCard } from "./chart-card";

export type TBusiestCell = { weekday: number; hour: number; messages: number };

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
const LEGEND_STEPS = [0, 0.25, 0.5, 0.75, 1];

/** A cell's shade: the muted background for none, then the primary colour, stronger with more messages. */
function shade(messages: number, max: number): string {
  if (messages === 0 || max === 0) return "var(--muted)";
  return `color-mix(in oklab, var(--primary) ${Math.round(15 + (85 * messages) / max)}%, var(--card))`;
}

/** What the heatmap shows, in words: the busiest slot and how many slots had messages. */
export function summariseBusiestHours(cells: TBusiestCell[]): string {
  if (cells.length === 0) return "No messages received in this range.";
  const busiest = cells.reduce((best, cell) => (cell.messages > best.messages ? cell : best));
  return `Busiest: ${WEEKDAY_NAMES[busiest.weekday - 1]} ${formatHourSpan(busiest.hour)}, with ${formatCount(
    busiest.messages,
  )} messages received. Messages arrived in ${cells.length} of the week's 168 hours.`;
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
  const counts = new Map(cells.map((cell) => [`${cell.weekday}-${cell.hour}`, cell.messages]));
  const max = cells.reduce((most, cell) => Math.max(most, cell.messages), 0);
  return (
    <ChartCard
      title="Busiest hours"
      description="Messages received, by weekday and hour of the day (organisation time), over the whole range."
      actions={actions}
      summary={summariseBusiestHours(cells)}
      isEmpty={cells.length === 0}
      emptyText="No messages received in this range yet."
      isPending={isPending}
    >
      <>
        <div className="overflow-x-auto">
          <table className="w-full min-w-[40rem] table-fixed border-separate border-spacing-0.5 text-xs">
            <caption className="sr-only">Messages received per weekday and hour</caption>
            <thead>
              <tr>
                <th scope="col" className="w-12">
                  <span className="sr-only">Weekday</span>
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
              {WEEKDAY_NAMES.map((name, index) => (
                <tr key={name}>
                  <th scope="row" className="pr-2 text-left font-normal text-muted-foreground">
                    <span aria-hidden="true">{name.slice(0, 3)}</span>
                    <span className="sr-only">{name}</span>
                  </th>
                  {HOURS.map((hour) => {
                    const messages = counts.get(`${index + 1}-${hour}`) ?? 0;
                    return (
                      <td
                        key={hour}
                        title={`${name} ${formatHourSpan(hour)}: ${formatCount(messages)} ${
                          messages === 1 ? "message" : "messages"
                        }`}
                        className="h-6 rounded-sm"
                        style={{ background: shade(messages, max) }}
                      >
                        <span className="sr-only">{formatCount(messages)}</span>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="mt-3 flex items-center gap-2 text-xs text-muted-foreground">
          <span>Fewer</span>
          {LEGEND_STEPS.map((step) => (
            <span
              key={step}
              aria-hidden="true"
              className="inline-block size-4 rounded-sm"
              style={{ background: shade(step * max, max) }}
            />
          ))}
          <span>More</span>
          <span className="ml-2">
            (from 0 to {formatCount(max)} {max === 1 ? "message" : "messages"} in one hour slot)
          </span>
        </div>
      </>
    </ChartCard>
  );
}
