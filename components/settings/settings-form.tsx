"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { AiProviderCard } from "./ai-provider";
import { Button } from "~/components/ui/button";
import { formText } from "~/components/ui/form-text";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import { type TOrgSettings, WEEKDAYS } from "~/server/settings/schema";

const DAY_LABELS: Record<(typeof WEEKDAYS)[number], string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

/** "09:00-12:00, 13:00-17:00" ⇄ intervals. Malformed text is sent as is for the server to refuse. */
function formatHours(intervals: { start: string; end: string }[]): string {
  return intervals.map((interval) => `${interval.start}-${interval.end}`).join(", ");
}
function parseHours(text: string): { start: string; end: string }[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [start = "", end = ""] = part.split("-").map((piece) => piece.trim());
      return { start, end };
    });
}

export function SettingsForm({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const settings = useQuery(trpc.settings.get.queryOptions());
  if (settings.error) return <Alert tone="error">{describeError(settings.error).message}</Alert>;
  if (!settings.data) return <p className="text-sm text-muted-foreground">Loading…</p>;
  return <SettingsEditor initial={settings.data} canWrite={canWrite} />;
}

function SettingsEditor({ initial, canWrite }: { initial: TOrgSettings; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const update = useMutation(trpc.settings.update.mutationOptions());
  const timeZones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => formText(form, name);
    setFieldErrors({});
    setNotice(null);
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
        businessHours: Object.fromEntries(
          WEEKDAYS.map((day) => [day, parseHours(text(`hours-${day}`))]),
        ) as TOrgSettings["businessHours"],
      });
      queryClient.setQueryData(trpc.settings.get.queryKey(), saved);
      setNotice({ tone: "success", text: "Settings saved." });
    } catch (error) {
      const described = describeError(error);
      setFieldErrors(described.fieldErrors);
      setNotice({ tone: "error", text: described.message });
    }
  }

  const dayError = (day: string) =>
    Object.entries(fieldErrors).find(([path]) => path.startsWith(`businessHours.${day}`))?.[1];

  return (
    <form onSubmit={(event) => void onSubmit(event)} className="space-y-6" noValidate>
      <fieldset disabled={!canWrite || update.isPending} className="space-y-6">
        <Card>
          <CardHeader title="Organisation" />
          <CardBody className="grid gap-4 md:grid-cols-3">
            <Field label="Name" htmlFor="orgName" error={fieldErrors.orgName}>
              <Input id="orgName" name="orgName" defaultValue={initial.orgName} />
            </Field>
            <Field
              label="Default country"
              htmlFor="defaultCountry"
              error={fieldErrors.defaultCountry}
              hint="Two letters (US, DE, BR); numbers without a country code are read in this country."
            >
              <Input id="defaultCountry" name="defaultCountry" defaultValue={initial.defaultCountry} maxLength={2} />
            </Field>
            <Field
              label="Time zone"
              htmlFor="timeZone"
              error={fieldErrors.timeZone}
              hint="Used for business hours and analytics."
            >
              <Input id="timeZone" name="timeZone" defaultValue={initial.timeZone} list="time-zones" />
              <datalist id="time-zones">
                {timeZones.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </Field>
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="Default reply"
            description="What the bot answers when nothing else does (rules come in front of it once they exist)."
          />
          <CardBody className="grid gap-4 md:grid-cols-[12rem_1fr]">
            <Field label="Reply with" htmlFor="defaultReplyMode">
              <Select id="defaultReplyMode" name="defaultReplyMode" defaultValue={initial.defaultReply.mode}>
                <option value="text">a fixed text</option>
                <option value="none">nothing</option>
              </Select>
            </Field>
            <Field label="Text" htmlFor="defaultReplyText" error={fieldErrors["defaultReply.text"]}>
              <Input
                id="defaultReplyText"
                name="defaultReplyText"
                defaultValue={initial.defaultReply.mode === "text" ? initial.defaultReply.text : ""}
              />
            </Field>
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="Business hours"
            description='In the time zone above, e.g. "09:00-12:00, 13:00-17:00"; empty means closed.'
          />
          <CardBody className="grid gap-4 md:grid-cols-2">
            {WEEKDAYS.map((day) => (
              <Field key={day} label={DAY_LABELS[day]} htmlFor={`hours-${day}`} error={dayError(day)}>
                <Input
                  id={`hours-${day}`}
                  name={`hours-${day}`}
                  defaultValue={formatHours(initial.businessHours[day])}
                  placeholder="closed"
                />
              </Field>
            ))}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Inbox" description="What happens to conversations a person took over." />
          <CardBody className="grid gap-4 md:grid-cols-3">
            <Field
              label="Hand back to the bot after (minutes)"
              htmlFor="handbackMinutes"
              error={fieldErrors.handbackMinutes}
              hint="Return a person's thread to the bot after N minutes without their reply; 0 = never."
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
          <CardHeader
            title="Who the bot answers"
            description="Blocked contacts never get an automatic reply. Opted-out contacts never get a message you start (API sends); whether the bot answers what they write is your choice."
          />
          <CardBody className="grid gap-4 md:grid-cols-2">
            <Field
              label="Answer opted-out contacts"
              htmlFor="answerOptedOut"
              error={fieldErrors.answerOptedOut}
              hint="Yes: rules, AI and the default reply answer what they write, as for anyone. No: the bot stays silent (their rules still tag and hand off). A rule's “opt out” reply still goes out."
            >
              <Select id="answerOptedOut" name="answerOptedOut" defaultValue={initial.answerOptedOut ? "yes" : "no"}>
                <option value="yes">yes, answer what they write</option>
                <option value="no">no, stay silent</option>
              </Select>
            </Field>
            <Field
              label="At the reply cap"
              htmlFor="replyCapAction"
              error={fieldErrors.replyCapAction}
              hint="Go quiet: the bot stays silent in that conversation for the minutes below. Hand off: the conversation goes to people, unassigned."
            >
              <Select id="replyCapAction" name="replyCapAction" defaultValue={initial.replyCapAction}>
                <option value="quiet">go quiet</option>
                <option value="handoff">hand off to a person</option>
              </Select>
            </Field>
            <Field
              label="Automatic replies per conversation (reply cap)"
              htmlFor="replyCapLimit"
              error={fieldErrors.replyCapLimit}
              hint="Against loops with other bots and floods: at most this many rule, AI and default replies in one conversation…"
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
              label="Per how many minutes"
              htmlFor="replyCapMinutes"
              error={fieldErrors.replyCapMinutes}
              hint="…within this many minutes (1 to 1,440). A person taking the conversation over starts a fresh count."
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
        <Card>
          <CardHeader title="Sign-in" description="How people sign in to this dashboard." />
          <CardBody className="space-y-1 text-sm">
            <label className="flex items-center gap-2 font-medium">
              <input
                type="checkbox"
                name="requireTwoFactorForAdmins"
                defaultChecked={initial.requireTwoFactorForAdmins}
              />{" "}
              Require two-factor sign-in for admins
            </label>
            <p className="text-xs text-muted-foreground">
              An admin without it is sent to set it up right after signing in, and can do nothing else until they have
              (you too, if you have not yet: see Your account).
            </p>
            {fieldErrors.requireTwoFactorForAdmins ? (
              <p role="alert" className="text-xs text-destructive">
                {fieldErrors.requireTwoFactorForAdmins}
              </p>
            ) : null}
          </CardBody>
        </Card>
        <AiProviderCard aiModel={initial.aiModel} error={fieldErrors.aiModel} canWrite={canWrite} />
      </fieldset>
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
      {canWrite ? (
        <Button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save settings"}
        </Button>
      ) : (
        <p className="text-sm text-muted-foreground">Only admins can change settings.</p>
      )}
    </form>
  );
}
