"use client";

import { useFormatter, useTranslations } from "next-intl";

/** The Webhooks page's messages and its dates, in the reader's language and the organisation's time zone. */
export function useWebhookFormat() {
  const t = useTranslations("webhooks");
  const format = useFormatter();
  return {
    t,
    /** A date (or ISO string); "—" for none. */
    time: (value: Date | string | null | undefined, withSeconds = false) =>
      value ? format.dateTime(new Date(value), "short", withSeconds ? { timeStyle: "medium" } : undefined) : "—",
    milliseconds: (ms: number) =>
      format.number(ms, { style: "unit", unit: "millisecond", unitDisplay: "short", maximumFractionDigits: 0 }),
  };
}
