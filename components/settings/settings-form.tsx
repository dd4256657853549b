"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { type FormEvent, useMemo, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { AiProviderCard } from "./ai-provider";
import { AiRepliesCard } from "./ai-replies";
import { OptOutCard } from "./opt-out";
import { Button } from "~/components/ui/button";
import { formText } from "~/components/ui/form-text";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import { type TOrgSettings, type TWeekday, WEEKDAYS } from "~/server/settings/schema";
import {
  checkHours,
  MAX_OPENINGS_PER_DAY,
  readHoursPath,
  parseWords,
  settingsFieldOf,
  type THoursProblem,
} from "./settings-errors";

/** "09:00-12:00, 13:00-17:00" ⇄ intervals. Malformed text is sent as is for the server to refuse. */
export function formatHours(intervals: { start: string; end: string }[]): string {
  return intervals.map((interval) => `${interval.start}-${interval.end}`).join(", ");
}
export function parseHours(text: string): { start: string; end: string }[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [start = "", end = ""] = part.split("-").map((piece) => piece.trim());
      return { start, end };
    });
}

/** What the pickers offer: the time zones and countries the server accepts (it checks with the same lists). */
export type TSettingsChoices = { timeZones: string[]; countries: string[] };

/** The names of countries, in the reader's language ("Brasil"), sorted as they read them. */
function useCountryOptions(codes: string[]): { code: string; name: string }[] {
  const locale = useLocale();
  return useMemo(() => {
    const names = new Intl.DisplayNames([locale], { type: "region", fallback: "code" });
    const collator = new Intl.Collator(locale);
    return codes
      .map((code) => ({ code, name: names.of(code) ?? code }))
      .sort((a, b) => collator.compare(a.name, b.name));
  }, [codes, locale]);
}

export function SettingsForm({ canWrite, choices }: { canWrite: boolean; choices: TSettingsChoices }) {
  const trpc = useTRPC();
  const t = useTranslations("common");
  const settings = useQuery(trpc.settings.get.queryOptions());
  if (settings.error) return <Alert tone="error">{describeError(settings.error).message}</Alert>;
  if (!settings.data) return <p className="text-sm text-muted-foreground">{t("loading")}</p>;
  return <SettingsEditor initial={settings.data} canWrite={canWrite} choices={choices} />;
}

function SettingsEditor({
  initial,
  canWrite,
  choices,
}: {
  initial: TOrgSettings;
  canWrite: boolean;
  choices: TSettingsChoices;
}) {
  const trpc = useTRPC();
  const t = useTranslations("settings");
  const tc = useTranslations("common");
  const locale = useLocale();
  const queryClient = useQueryClient();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const update = useMutation(trpc.settings.update.mutationOptions());
  const countries = useCountryOptions(choices.countries);
  // A value saved before the pickers (or a zone the runtime no longer lists) stays accepted.
  const timeZones = useMemo(
    () => (choices.timeZones.includes(initial.timeZone) ? choices.timeZones : [initial.timeZone, ...choices.timeZones]),
    [choices.timeZones, initial.timeZone],
  );
  const isKnownCountry = choices.countries.includes(initial.defaultCountry);

  const lowerFirst = (text: string) =>
    /^\p{Lu}\p{Ll}/u.test(text) ? text.charAt(0).toLocaleLowerCase(locale) + text.slice(1) : text;
  const describeHoursProblem = (problem: THoursProblem) => {
    const words =
      problem.kind === "tooMany" ? t("hours.tooMany", { max: MAX_OPENINGS_PER_DAY }) : t(`hours.${problem.kind}`);
    const day = t(`hours.day.${problem.day}`);
    return problem.opening === null
      ? t("hours.dayProblem", { day, problem: words })
      : t("hours.problem", { day, opening: t("hours.opening", { number: problem.opening }), problem: words });
  };
  /** The server's errors, keyed by the form's fields and said with the field's name, never its path. */
  const placeErrors = (errors: Record<string, string>) => {
    const placed: Record<string, string> = {};
    for (const [path, message] of Object.entries(errors)) {
      const hours = readHoursPath(path);
      if (hours) {
        const day = t(`hours.day.${hours.day}`);
        const problem = lowerFirst(message);
        placed[`hours-${hours.day}`] ??=
          hours.opening === null
            ? t("hours.dayProblem", { day, problem })
            : t("hours.problem", { day, opening: t("hours.opening", { number: hours.opening }), problem });
        continue;
      }
      const field = settingsFieldOf(path);
      if (field) placed[field] ??= message;
    }
    return placed;
  };

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => formText(form, name);
    setNotice(null);
    const problems: Record<string, string> = {};
    for (const day of WEEKDAYS) {
      const problem = checkHours(day, text(`hours-${day}`));
      if (problem) problems[`hours-${day}`] = describeHoursProblem(problem);
    }
    if (!timeZones.includes(text("timeZone"))) problems.timeZone = t("organisation.timeZoneUnknown");
    setFieldErrors(problems);
    if (Object.keys(problems).length > 0) {
      setNotice({ tone: "error", text: t("notSaved", { count: Object.keys(problems).length }) });
      return;
    }
    try {
      const saved = await update.mutateAsync({
        orgName: text("orgName"),
        defaultCountry: text("defaultCountry"),
        timeZone: text("timeZone"),
        defaultReply:
          text("defaultReplyMode") === "none" ? { mode: "none" } : { mode: "text", text: text("defaultReplyText") },
        aiModel: text("aiModel"),
        handbackMinutes: text("handbackMinutes"),
        answerOptedOut: text("answerOptedOut") === "yes",
        replyCapLimit: text("replyCapLimit"),
        replyCapMinutes: text("replyCapMinutes"),
        replyCapAction: text("replyCapAction") as TOrgSettings["replyCapAction"],
        requireTwoFactorForAdmins: form.get("requireTwoFactorForAdmins") === "on",
        replyQuietMs: text("replyQuietMs"),
        quietBeforeRules: text("quietBeforeRules") === "yes",
        aiDailyCapUsd: text("aiDailyCapUsd") || null,
        flowEscape: {
          stopWords: parseWords(text("flowStopWords")),
          menuWords: parseWords(text("flowMenuWords")),
          menuFlowId: text("flowMenuFlowId") || null,
          stopReply: text("flowStopReply"),
        },
        optOut: { keywords: parseWords(text("optOutKeywords")), confirmation: text("optOutConfirmation") },
        businessHours: Object.fromEntries(
          WEEKDAYS.map((day) => [day, parseHours(text(`hours-${day}`))]),
        ) as TOrgSettings["businessHours"],
      });
      queryClient.setQueryData(trpc.settings.get.queryKey(), saved);
      setNotice({ tone: "success", text: t("saved") });
    } catch (error) {
      const described = describeError(error);
      const placed = placeErrors(described.fieldErrors);
      const count = Object.keys(placed).length;
      setFieldErrors(placed);
      setNotice({ tone: "error", text: count > 0 ? t("notSaved", { count }) : described.message });
    }
  }

  const invalid = (name: string) => (fieldErrors[name] ? true : undefined);

  return (
    <form onSubmit={(event) => void onSubmit(event)} className="space-y-6" noValidate>
      <fieldset disabled={!canWrite || update.isPending} className="min-w-0 space-y-6">
        <Card>
          <CardHeader title={t("organisation.title")} />
          <CardBody className="grid gap-4 md:grid-cols-3">
            <Field label={t("organisation.name")} htmlFor="orgName" error={fieldErrors.orgName}>
              <Input id="orgName" name="orgName" defaultValue={initial.orgName} aria-invalid={invalid("orgName")} />
            </Field>
            <Field
              label={t("organisation.country")}
              htmlFor="defaultCountry"
              error={fieldErrors.defaultCountry}
              hint={t("organisation.countryHint")}
            >
              <Select
                id="defaultCountry"
                name="defaultCountry"
                defaultValue={initial.defaultCountry}
                aria-invalid={invalid("defaultCountry")}
              >
                {isKnownCountry ? null : (
                  <option value={initial.defaultCountry}>
                    {t("organisation.countryUnknown", { code: initial.defaultCountry })}
                  </option>
                )}
                {countries.map((country) => (
                  <option key={country.code} value={country.code}>
                    {country.name} ({country.code})
                  </option>
                ))}
              </Select>
            </Field>
            <Field
              label={t("organisation.timeZone")}
              htmlFor="timeZone"
              error={fieldErrors.timeZone}
              hint={t("organisation.timeZoneHint")}
            >
              <Input
                id="timeZone"
                name="timeZone"
                defaultValue={initial.timeZone}
                list="time-zones"
                autoComplete="off"
                spellCheck={false}
                aria-invalid={invalid("timeZone")}
              />
              <datalist id="time-zones">
                {timeZones.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </Field>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title={t("defaultReply.title")} description={t("defaultReply.description")} />
          <CardBody className="grid gap-4 md:grid-cols-[12rem_1fr]">
            <Field label={t("defaultReply.mode")} htmlFor="defaultReplyMode" error={fieldErrors.defaultReplyMode}>
              <Select id="defaultReplyMode" name="defaultReplyMode" defaultValue={initial.defaultReply.mode}>
                <option value="text">{t("defaultReply.modeText")}</option>
                <option value="none">{t("defaultReply.modeNone")}</option>
              </Select>
            </Field>
            <Field label={t("defaultReply.text")} htmlFor="defaultReplyText" error={fieldErrors.defaultReplyText}>
              <Input
                id="defaultReplyText"
                name="defaultReplyText"
                defaultValue={initial.defaultReply.mode === "text" ? initial.defaultReply.text : ""}
                aria-invalid={invalid("defaultReplyText")}
              />
            </Field>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title={t("hours.title")} description={t("hours.description")} />
          <CardBody className="grid gap-4 md:grid-cols-2">
            {WEEKDAYS.map((day: TWeekday) => (
              <Field
                key={day}
                label={t(`hours.day.${day}`)}
                htmlFor={`hours-${day}`}
                error={fieldErrors[`hours-${day}`]}
              >
                <Input
                  id={`hours-${day}`}
                  name={`hours-${day}`}
                  defaultValue={formatHours(initial.businessHours[day])}
                  placeholder={t("hours.closed")}
                  aria-invalid={invalid(`hours-${day}`)}
                />
              </Field>
            ))}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title={t("inbox.title")} description={t("inbox.description")} />
          <CardBody className="grid gap-4 md:grid-cols-3">
            <Field
              label={t("inbox.handback")}
              htmlFor="handbackMinutes"
              error={fieldErrors.handbackMinutes}
              hint={t("inbox.handbackHint")}
            >
              <Input
                id="handbackMinutes"
                name="handbackMinutes"
                type="number"
                inputMode="numeric"
                min={0}
                max={10_080}
                step={1}
                defaultValue={initial.handbackMinutes}
                aria-invalid={Boolean(fieldErrors.handbackMinutes)}
              />
            </Field>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title={t("answering.title")} description={t("answering.description")} />
          <CardBody className="grid gap-4 md:grid-cols-2">
            <Field
              label={t("answering.optedOut")}
              htmlFor="answerOptedOut"
              error={fieldErrors.answerOptedOut}
              hint={t("answering.optedOutHint")}
            >
              <Select id="answerOptedOut" name="answerOptedOut" defaultValue={initial.answerOptedOut ? "yes" : "no"}>
                <option value="yes">{t("answering.optedOutYes")}</option>
                <option value="no">{t("answering.optedOutNo")}</option>
              </Select>
            </Field>
            <Field
              label={t("answering.capAction")}
              htmlFor="replyCapAction"
              error={fieldErrors.replyCapAction}
              hint={t("answering.capActionHint")}
            >
              <Select id="replyCapAction" name="replyCapAction" defaultValue={initial.replyCapAction}>
                <option value="quiet">{t("answering.capQuiet")}</option>
                <option value="handoff">{t("answering.capHandoff")}</option>
              </Select>
            </Field>
            <Field
              label={t("answering.capLimit")}
              htmlFor="replyCapLimit"
              error={fieldErrors.replyCapLimit}
              hint={t("answering.capLimitHint")}
            >
              <Input
                id="replyCapLimit"
                name="replyCapLimit"
                type="number"
                inputMode="numeric"
                min={1}
                max={1_000}
                step={1}
                defaultValue={initial.replyCapLimit}
                aria-invalid={Boolean(fieldErrors.replyCapLimit)}
              />
            </Field>
            <Field
              label={t("answering.capMinutes")}
              htmlFor="replyCapMinutes"
              error={fieldErrors.replyCapMinutes}
              hint={t("answering.capMinutesHint")}
            >
              <Input
                id="replyCapMinutes"
                name="replyCapMinutes"
                type="number"
                inputMode="numeric"
                min={1}
                max={1_440}
                step={1}
                defaultValue={initial.replyCapMinutes}
                aria-invalid={Boolean(fieldErrors.replyCapMinutes)}
              />
            </Field>
          </CardBody>
        </Card>
        <FlowEscapeCard initial={initial.flowEscape} errors={fieldErrors} />
        <OptOutCard initial={initial.optOut} errors={fieldErrors} />
        <Card>
          <CardHeader title={t("signIn.title")} description={t("signIn.description")} />
          <CardBody className="space-y-1 text-sm">
            <label className="flex items-center gap-2 font-medium">
              <input
                type="checkbox"
                name="requireTwoFactorForAdmins"
                defaultChecked={initial.requireTwoFactorForAdmins}
              />{" "}
              {t("signIn.requireTwoFactor")}
            </label>
            <p className="text-xs text-muted-foreground">{t("signIn.requireTwoFactorHint")}</p>
            {fieldErrors.requireTwoFactorForAdmins ? (
              <p role="alert" className="text-xs text-destructive">
                {fieldErrors.requireTwoFactorForAdmins}
              </p>
            ) : null}
          </CardBody>
        </Card>
        <AiProviderCard aiModel={initial.aiModel} error={fieldErrors.aiModel} canWrite={canWrite} />
        <AiRepliesCard
          replyQuietMs={initial.replyQuietMs}
          quietBeforeRules={initial.quietBeforeRules}
          aiDailyCapUsd={initial.aiDailyCapUsd}
          errors={fieldErrors}
        />
      </fieldset>
      {canWrite ? (
        <div className="flex flex-col gap-3">
          {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
          <Button type="submit" disabled={update.isPending} className="self-start">
            {update.isPending ? tc("saving") : t("save")}
          </Button>
        </div>
      ) : (
        <p className="text-sm text-muted-foreground">{t("readOnly")}</p>
      )}
    </form>
  );
}

/** The words that get a contact out of any flow (Settings `flowEscape`), and the menu flow. */
function FlowEscapeCard({ initial, errors }: { initial: TOrgSettings["flowEscape"]; errors: Record<string, string> }) {
  const trpc = useTRPC();
  const t = useTranslations("settings.flowEscape");
  const flows = useQuery(trpc.flows.list.queryOptions());
  const published = (flows.data ?? []).filter((flow) => flow.publishedVersion !== null);
  // A menu flow unpublished since stays selected (saving keeps it; it starts nothing until published).
  const known = initial.menuFlowId === null || published.some((flow) => flow.id === initial.menuFlowId);
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="grid gap-4 md:grid-cols-2">
        <Field label={t("stopWords")} htmlFor="flowStopWords" error={errors.flowStopWords} hint={t("stopWordsHint")}>
          <Input
            id="flowStopWords"
            name="flowStopWords"
            defaultValue={initial.stopWords.join(", ")}
            aria-invalid={Boolean(errors.flowStopWords)}
          />
        </Field>
        <Field label={t("menuWords")} htmlFor="flowMenuWords" error={errors.flowMenuWords} hint={t("menuWordsHint")}>
          <Input
            id="flowMenuWords"
            name="flowMenuWords"
            defaultValue={initial.menuWords.join(", ")}
            aria-invalid={Boolean(errors.flowMenuWords)}
          />
        </Field>
        <Field label={t("menuFlow")} htmlFor="flowMenuFlowId" error={errors.flowMenuFlowId} hint={t("menuFlowHint")}>
          <Select
            id="flowMenuFlowId"
            name="flowMenuFlowId"
            // Remounted once the flows arrive, so the saved choice is selected among them.
            key={flows.data ? "loaded" : "loading"}
            defaultValue={initial.menuFlowId ?? ""}
          >
            <option value="">{t("noMenuFlow")}</option>
            {!known && initial.menuFlowId ? <option value={initial.menuFlowId}>{t("unpublished")}</option> : null}
            {published.map((flow) => (
              <option key={flow.id} value={flow.id}>
                {flow.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t("stopReply")} htmlFor="flowStopReply" error={errors.flowStopReply} hint={t("stopReplyHint")}>
          <Input
            id="flowStopReply"
            name="flowStopReply"
            defaultValue={initial.stopReply}
            aria-invalid={Boolean(errors.flowStopReply)}
          />
        </Field>
      </CardBody>
    </Card>
  );
}
