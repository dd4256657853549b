import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import type { getToday } from "~/server/home/today";

/** Today so far: messages in and out, who waits for a person, hand-offs, the bot's first response. */
export async function TodaySummary({ today }: { today: Awaited<ReturnType<typeof getToday>> }) {
  const t = await getTranslations("start.today");
  const format = await getFormatter();
  const median = today.figures.firstResponse.bot.median;
  const tiles = [
    { key: "messagesIn", value: format.number(today.figures.messagesIn) },
    { key: "messagesOut", value: format.number(today.figures.messagesOut) },
    { key: "needsPerson", value: format.number(today.needsPerson) },
    { key: "handedOff", value: format.number(today.figures.handedOffThreads) },
    {
      key: "botResponse",
      value:
        median === null
          ? t("noValue")
          : median < 1_000
            ? format.number(median, { style: "unit", unit: "millisecond", maximumFractionDigits: 0 })
            : format.number(median / 1_000, { style: "unit", unit: "second", maximumFractionDigits: 1 }),
    },
  ] as const;
  return (
    <Card data-testid="today">
      <CardHeader title={t("title")} description={t("description", { timeZone: today.timeZone })} />
      <CardBody>
        <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5">
          {tiles.map((tile) => (
            <div key={tile.key} className="min-w-0">
              <dt className="text-xs text-muted-foreground">{t(tile.key)}</dt>
              <dd className="text-2xl font-semibold tabular-nums" data-testid={`today-${tile.key}`}>
                {tile.value}
              </dd>
            </div>
          ))}
        </dl>
        <div className="mt-4 flex flex-wrap gap-4 text-sm">
          <Link href="/inbox" className="font-medium text-primary hover:underline">
            {t("openInbox")} →
          </Link>
          <Link href="/analytics" className="font-medium text-primary hover:underline">
            {t("openAnalytics")} →
          </Link>
        </div>
      </CardBody>
    </Card>
  );
}
