"use client";

import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { Button } from "~/components/ui/button";
import { Card, CardBody } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { findRangeProblem, lastDays, QUICK_RANGES, type TAnalyticsRange, type TRangeProblem } from "./analytics-range";

/**
 * The page's controls: the days to count (two dates, applied together, or a quick "last N
 * days"), and the session when the viewer may list sessions. Every change goes to `onChange`,
 * which puts it in the URL.
 */
export function RangeControls({
  range,
  today,
  sessions,
  onChange,
}: {
  range: TAnalyticsRange;
  today: string;
  /** The sessions to filter by; null hides the filter (the viewer may not list sessions). */
  sessions: { id: string; name: string }[] | null;
  onChange: (next: TAnalyticsRange) => void;
}) {
  const t = useTranslations("analytics.range");
  const [problem, setProblem] = useState<TRangeProblem | null>(null);

  function apply(next: TAnalyticsRange) {
    const found = findRangeProblem(next.from, next.to);
    setProblem(found);
    if (!found) onChange(next);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    apply({
      from: formText(form, "from"),
      to: formText(form, "to"),
      sessionId: sessions ? formText(form, "session") || null : range.sessionId,
    });
  }

  return (
    <Card className="mb-6">
      <CardBody>
        <form
          // A new range (a quick button, the back button) resets what was typed.
          key={`${range.from}|${range.to}|${range.sessionId ?? ""}`}
          onSubmit={onSubmit}
          aria-label={t("label")}
          className="flex flex-wrap items-end gap-3"
          noValidate
        >
          <Field label={t("from")} htmlFor="analytics-from" className="w-full min-[400px]:w-40">
            <Input id="analytics-from" name="from" type="date" defaultValue={range.from} required />
          </Field>
          <Field label={t("to")} htmlFor="analytics-to" className="w-full min-[400px]:w-40">
            <Input
              id="analytics-to"
              name="to"
              type="date"
              defaultValue={range.to}
              required
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? "analytics-range-problem" : undefined}
            />
          </Field>
          <Button type="submit" variant="secondary">
            {t("apply")}
          </Button>
          <div role="group" aria-label={t("showLast")} className="flex flex-wrap gap-1">
            {QUICK_RANGES.map((days) => {
              const quick = lastDays(days, today);
              const isCurrent = quick.from === range.from && quick.to === range.to;
              return (
                <Button
                  key={days}
                  variant={isCurrent ? "primary" : "ghost"}
                  size="md"
                  aria-pressed={isCurrent}
                  aria-label={t("lastDays", { days })}
                  onClick={() => apply({ ...quick, sessionId: range.sessionId })}
                >
                  {t("days", { days })}
                </Button>
              );
            })}
          </div>
          {sessions ? (
            <Field label={t("session")} htmlFor="analytics-session" className="w-full sm:w-56">
              <Select
                id="analytics-session"
                name="session"
                defaultValue={range.sessionId ?? ""}
                onChange={(event) => event.currentTarget.form?.requestSubmit()}
              >
                <option value="">{t("allSessions")}</option>
                {sessions.map((session) => (
                  <option key={session.id} value={session.id}>
                    {session.name}
                  </option>
                ))}
              </Select>
            </Field>
          ) : null}
        </form>
        {problem ? (
          <p id="analytics-range-problem" role="alert" className="mt-2 text-sm text-destructive">
            {t(`problem.${problem}`)}
          </p>
        ) : null}
      </CardBody>
    </Card>
  );
}
