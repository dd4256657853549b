"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input } from "~/components/ui/input";
import { Alert } from "~/components/ui/alert";
import type { TSession } from "./session-labels";

type TPacingNumber = "messagesPerMinute" | "burst" | "jitterMinMs" | "jitterMaxMs" | "perChatGapMs";

/** The pacing numbers, with the server's limits (server/sessions/settings.ts); labels and hints in `sessions.settings`. */
const PACING_FIELDS: readonly { name: TPacingNumber; min: number; max: number }[] = [
  { name: "messagesPerMinute", min: 1, max: 600 },
  { name: "burst", min: 1, max: 50 },
  { name: "jitterMinMs", min: 0, max: 60_000 },
  { name: "jitterMaxMs", min: 0, max: 60_000 },
  { name: "perChatGapMs", min: 0, max: 600_000 },
];

const TYPING_MAX_MS = { min: 1_000, max: 60_000 };
const DAILY_CAP = { min: 1, max: 1_000_000 };
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const WHOLE_NUMBER = /^\d+$/;

/**
 * A number's send pacing (and, where its engine shows presence, the "typing…" setting).
 * Read-only users see the values in a disabled form.
 */
export function SessionSettingsForm({ session, canWrite }: { session: TSession; canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("sessions");
  const tHealth = useTranslations("domain.numberHealth");
  const tCommon = useTranslations("common");
  const format = useFormatter();
  const queryClient = useQueryClient();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const update = useMutation(trpc.sessions.updateSettings.mutationOptions());
  const { pacing, presence, outreach } = session.settings;
  const hasPresence = session.engine.settings.includes("presence");
  const idFor = (name: string) => `session-${session.id}-${name}`;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const errors: Record<string, string> = {};
    // The server has the last word; these checks only say the same in plainer words, by the field.
    const whole = (key: string, name: string, min: number, max: number) => {
      const text = formText(form, name).trim();
      const value = Number(text);
      if (!WHOLE_NUMBER.test(text)) errors[key] = t("settings.wholeNumber");
      else if (value < min || value > max)
        errors[key] = t("settings.between", { min: format.number(min), max: format.number(max) });
      return value;
    };
    const numbers = Object.fromEntries(
      PACING_FIELDS.map((field) => [field.name, whole(`pacing.${field.name}`, field.name, field.min, field.max)]),
    ) as Record<TPacingNumber, number>;
    const typingMaxMs = hasPresence
      ? whole("presence.typingMaxMs", "typingMaxMs", TYPING_MAX_MS.min, TYPING_MAX_MS.max)
      : presence.typingMaxMs;
    const capText = formText(form, "dailyCap").trim();
    const dailyCap = capText === "" ? null : whole("outreach.dailyCap", "dailyCap", DAILY_CAP.min, DAILY_CAP.max);
    const warmUpText = formText(form, "warmUpFrom").trim();
    if (warmUpText !== "" && !ISO_DATE.test(warmUpText)) errors["outreach.warmUpFrom"] = tHealth("dateFormat");
    const pauseBelow = whole("outreach.pauseBelow", "pauseBelow", 0, 100);
    // The server takes a minimum above the maximum (the pause is then always the minimum); say so here.
    if (!errors["pacing.jitterMaxMs"] && numbers.jitterMaxMs < numbers.jitterMinMs)
      errors["pacing.jitterMaxMs"] = t("settings.atLeastShortest");
    setNotice(null);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) {
      setNotice({ tone: "error", text: t("settings.checkFields") });
      return;
    }
    try {
      await update.mutateAsync({
        id: session.id,
        pacing: { enabled: form.get("enabled") === "on", ...numbers },
        outreach: { dailyCap, warmUpFrom: warmUpText === "" ? null : warmUpText, pauseBelow },
        ...(hasPresence ? { presence: { typing: form.get("typing") === "on", typingMaxMs } } : {}),
      });
      await queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
      setNotice({
        tone: "success",
        text: hasPresence ? t("settings.savedPresence") : t("settings.saved"),
      });
    } catch (error) {
      const described = describeError(error);
      const hasFieldErrors = Object.keys(described.fieldErrors).some(
        (path) => path.startsWith("pacing.") || path.startsWith("presence.") || path.startsWith("outreach."),
      );
      setFieldErrors(described.fieldErrors);
      setNotice({ tone: "error", text: hasFieldErrors ? t("settings.checkFields") : described.message });
    }
  }

  return (
    <form
      onSubmit={(event) => void onSubmit(event)}
      noValidate
      className="space-y-5"
      aria-label={t("settings.formLabel", { name: session.name })}
    >
      <fieldset disabled={!canWrite || update.isPending} className="space-y-3">
        <legend className="text-sm font-semibold">{t("settings.pacing")}</legend>
        <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="enabled"
              defaultChecked={pacing.enabled}
              className="size-4 accent-[var(--primary)]"
            />
            {t("settings.paceSends")}
          </label>
          <p className="text-xs text-muted-foreground">{t("settings.paceHint")}</p>
        </div>
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
          {PACING_FIELDS.map((field) => {
            const error = fieldErrors[`pacing.${field.name}`];
            return (
              <Field
                key={field.name}
                label={t(`settings.${field.name}`)}
                htmlFor={idFor(field.name)}
                hint={t(`settings.${field.name}Hint`)}
                error={error}
              >
                <Input
                  id={idFor(field.name)}
                  name={field.name}
                  type="number"
                  inputMode="numeric"
                  min={field.min}
                  max={field.max}
                  step={1}
                  defaultValue={pacing[field.name]}
                  aria-invalid={Boolean(error)}
                />
              </Field>
            );
          })}
        </div>
      </fieldset>
      {hasPresence ? (
        <fieldset disabled={!canWrite || update.isPending} className="space-y-3">
          <legend className="text-sm font-semibold">{t("settings.presence")}</legend>
          <p className="text-xs text-muted-foreground">{t("settings.presenceHint")}</p>
          <div className="grid items-start gap-4 sm:grid-cols-2 lg:grid-cols-5">
            <label className="flex items-center gap-2 text-sm sm:mt-7 lg:col-span-2">
              <input
                type="checkbox"
                name="typing"
                defaultChecked={presence.typing}
                className="size-4 accent-[var(--primary)]"
              />
              {t("settings.typing")}
            </label>
            <Field
              label={t("settings.typingMaxMs")}
              htmlFor={idFor("typingMaxMs")}
              hint={t("settings.typingMaxMsHint")}
              error={fieldErrors["presence.typingMaxMs"]}
            >
              <Input
                id={idFor("typingMaxMs")}
                name="typingMaxMs"
                type="number"
                inputMode="numeric"
                min={TYPING_MAX_MS.min}
                max={TYPING_MAX_MS.max}
                step={1}
                defaultValue={presence.typingMaxMs}
                aria-invalid={Boolean(fieldErrors["presence.typingMaxMs"])}
              />
            </Field>
          </div>
        </fieldset>
      ) : null}
      <fieldset disabled={!canWrite || update.isPending} className="space-y-3">
        <legend className="text-sm font-semibold">{tHealth("legend")}</legend>
        <p className="text-xs text-muted-foreground">{tHealth("hint")}</p>
        <NumberHealth sessionId={session.id} />
        <div className="grid gap-4 sm:grid-cols-3">
          <Field
            label={tHealth("dailyCap")}
            htmlFor={idFor("dailyCap")}
            hint={tHealth("dailyCapHint")}
            error={fieldErrors["outreach.dailyCap"]}
          >
            <Input
              id={idFor("dailyCap")}
              name="dailyCap"
              type="number"
              inputMode="numeric"
              min={DAILY_CAP.min}
              max={DAILY_CAP.max}
              step={1}
              defaultValue={outreach.dailyCap ?? ""}
              aria-invalid={Boolean(fieldErrors["outreach.dailyCap"])}
            />
          </Field>
          <Field
            label={tHealth("warmUpFrom")}
            htmlFor={idFor("warmUpFrom")}
            hint={tHealth("warmUpFromHint")}
            error={fieldErrors["outreach.warmUpFrom"]}
          >
            <Input
              id={idFor("warmUpFrom")}
              name="warmUpFrom"
              type="date"
              defaultValue={outreach.warmUpFrom ?? ""}
              aria-invalid={Boolean(fieldErrors["outreach.warmUpFrom"])}
            />
          </Field>
          <Field
            label={tHealth("pauseBelow")}
            htmlFor={idFor("pauseBelow")}
            hint={tHealth("pauseBelowHint")}
            error={fieldErrors["outreach.pauseBelow"]}
          >
            <Input
              id={idFor("pauseBelow")}
              name="pauseBelow"
              type="number"
              inputMode="numeric"
              min={0}
              max={100}
              step={1}
              defaultValue={outreach.pauseBelow}
              aria-invalid={Boolean(fieldErrors["outreach.pauseBelow"])}
            />
          </Field>
        </div>
      </fieldset>
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
      {canWrite ? (
        <Button type="submit" size="sm" disabled={update.isPending}>
          {update.isPending ? tCommon("saving") : hasPresence ? t("settings.savePresence") : t("settings.save")}
        </Button>
      ) : (
        <p className="text-sm text-muted-foreground">{t("settings.adminsOnly")}</p>
      )}
    </form>
  );
}

/** A number's health score and today's campaign sends against its cap (server/campaigns/health.ts). */
function NumberHealth({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const t = useTranslations("domain.numberHealth");
  const format = useFormatter();
  const { data } = useQuery(trpc.sessions.outreach.queryOptions());
  const number = data?.find((entry) => entry.sessionId === sessionId);
  if (!number) return null;
  const score = number.health?.score ?? 100;
  return (
    <p className="text-sm" data-testid="number-health">
      <span className={score < 50 ? "font-semibold text-destructive" : "font-semibold"}>{t("score", { score })}</span>
      {number.health?.cause ? ` · ${t(`cause.${number.health.cause}`)}` : ""}
      {" · "}
      {number.cap === null
        ? t("sentToday", { sent: format.number(number.sentToday) })
        : t("sentTodayOfCap", { sent: format.number(number.sentToday), cap: format.number(number.cap) })}
      {number.warmUpDay !== null ? ` · ${t("warmUpDay", { day: number.warmUpDay, days: number.warmUpDays })}` : ""}
    </p>
  );
}
