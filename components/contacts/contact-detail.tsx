"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { MessageContent } from "~/components/inbox/message-content";
import { ContactFieldsCard } from "./contact-fields";
import { ContactDataRights } from "./contact-data-rights";
import { ContactMerge } from "./contact-merge";
import { placeFieldErrors } from "./field-errors";

const FIELDS = ["phone", "name", "relationship", "priority", "tags", "profileId", "notes"] as const;

/** Translates a value the server may extend, falling back to the value itself. */
function known<T extends string>(values: readonly T[], value: string): T | null {
  return (values as readonly string[]).includes(value) ? (value as T) : null;
}
const IDENTITY_SOURCES = ["contact", "message", "engine", "staff", "backfill"] as const;

/** One contact: details (editable), profile, notes, opt-out and block, and the conversation. */
export function ContactDetail({
  id,
  canWrite,
  canManageData = false,
}: {
  id: string;
  canWrite: boolean;
  /** An admin: may export the contact's data and erase them (docs/data-rights.md). */
  canManageData?: boolean;
}) {
  const trpc = useTRPC();
  const t = useTranslations("contacts");
  const tCommon = useTranslations("common");
  const tConsent = useTranslations("domain.consent.contact");
  const format = useFormatter();
  const queryClient = useQueryClient();
  const contact = useQuery(trpc.contacts.get.queryOptions({ id }));
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  const save = useMutation(
    trpc.contacts.save.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() }),
    }),
  );
  if (contact.error) return <Alert tone="error">{describeError(contact.error).message}</Alert>;
  if (!contact.data) return <p className="text-sm text-muted-foreground">{tCommon("loading")}</p>;
  const data = contact.data;
  const errors = save.error ? placeFieldErrors(describeError(save.error), FIELDS, t("form.checkFields")) : null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => formText(form, name);
    save.mutate({
      id,
      contact: {
        phone: text("phone"),
        name: text("name") || null,
        relationship: text("relationship") as (typeof RELATIONSHIPS)[number],
        priority: Number(text("priority") || "0"),
        tags: text("tags")
          .split(",")
          .map((tag) => tag.trim())
          .filter(Boolean),
        profileId: text("profileId") || null,
        notes: text("notes"),
        optedOut: form.get("optedOut") === "on",
        optedIn: form.get("optedIn") === "on",
        blocked: form.get("blocked") === "on",
      },
    });
  };
  return (
    <div className="grid gap-4 lg:grid-cols-[2fr_3fr]">
      <div className="grid content-start gap-4">
        <Card>
          <CardHeader
            title={<span className="break-all">{data.name ?? data.waId}</span>}
            description={t("detail.firstSeen", { date: format.dateTime(new Date(data.firstSeenAt), "date") })}
          />
          <CardBody>
            {/* Remounted by each save: the checkboxes show what was saved (an opt-in clears an opt-out). */}
            <form
              key={new Date(data.updatedAt).getTime()}
              aria-label={t("detail.formLabel")}
              className="grid gap-3"
              onSubmit={submit}
            >
              <fieldset disabled={!canWrite} className="contents">
                <Field label={t("form.phone")} htmlFor="d-phone" error={errors?.byField.phone}>
                  <Input
                    id="d-phone"
                    name="phone"
                    defaultValue={data.waId}
                    aria-invalid={Boolean(errors?.byField.phone)}
                  />
                </Field>
                <Field label={t("form.name")} htmlFor="d-name" error={errors?.byField.name}>
                  <Input id="d-name" name="name" defaultValue={data.name ?? ""} />
                </Field>
                <div className="grid grid-cols-2 gap-3">
                  <Field label={t("form.relationship")} htmlFor="d-relationship" error={errors?.byField.relationship}>
                    <Select id="d-relationship" name="relationship" defaultValue={data.relationship}>
                      {RELATIONSHIPS.map((relationship) => (
                        <option key={relationship} value={relationship}>
                          {t(`relationship.${relationship}`)}
                        </option>
                      ))}
                    </Select>
                  </Field>
                  <Field label={t("form.priority")} htmlFor="d-priority" error={errors?.byField.priority}>
                    <Input
                      id="d-priority"
                      name="priority"
                      type="number"
                      min={0}
                      max={100}
                      defaultValue={data.priority}
                    />
                  </Field>
                </div>
                <Field label={t("form.tags")} htmlFor="d-tags" error={errors?.byField.tags}>
                  <Input id="d-tags" name="tags" defaultValue={data.tags.join(", ")} />
                </Field>
                <Field label={t("form.profile")} htmlFor="d-profile" error={errors?.byField.profileId}>
                  <Select id="d-profile" name="profileId" defaultValue={data.profileId ?? ""}>
                    <option value="">{t("form.defaultProfile")}</option>
                    {profiles.data?.map((profile) => (
                      <option key={profile.id} value={profile.id}>
                        {profile.name}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label={t("form.notes")} htmlFor="d-notes" error={errors?.byField.notes}>
                  <textarea
                    id="d-notes"
                    name="notes"
                    defaultValue={data.notes}
                    className="min-h-20 w-full rounded-md border border-border bg-card px-3 py-2 text-sm"
                  />
                </Field>
                <ConsentStatus
                  optedOut={data.optedOut}
                  optedOutAt={data.optedOutAt}
                  optedInAt={data.optedInAt}
                  optInSource={data.optInSource}
                />
                <div className="flex flex-wrap gap-4 text-sm">
                  <label className="flex items-center gap-2">
                    <input
                      type="checkbox"
                      name="optedIn"
                      aria-describedby="d-opted-in-hint"
                      defaultChecked={data.optedInAt !== null && !data.optedOut}
                    />{" "}
                    {tConsent("optedIn")}
                  </label>
                  <label className="flex items-center gap-2">
                    <input type="checkbox" name="optedOut" defaultChecked={data.optedOut} /> {t("form.optedOut")}
                  </label>
                  <label className="flex items-center gap-2">
                    <input type="checkbox" name="blocked" defaultChecked={data.blocked} /> {t("form.blocked")}
                  </label>
                </div>
                <p id="d-opted-in-hint" className="text-xs text-muted-foreground">
                  {tConsent("optedInHint")}
                </p>
              </fieldset>
              {errors?.summary ? <Alert tone="error">{errors.summary}</Alert> : null}
              {save.isSuccess ? <Alert tone="success">{t("form.saved")}</Alert> : null}
              {canWrite ? (
                <div>
                  <Button type="submit" disabled={save.isPending}>
                    {tCommon("save")}
                  </Button>
                </div>
              ) : null}
            </form>
          </CardBody>
        </Card>
        <ContactFieldsCard id={id} values={data.fields} canWrite={canWrite} />
        <Card>
          <CardHeader title={t("detail.identitiesTitle")} description={t("detail.identitiesDescription")} />
          <CardBody>
            <ul className="grid gap-1 text-sm" aria-label={t("detail.identitiesTitle")}>
              {data.identities.map((identity) => {
                const source = known(IDENTITY_SOURCES, identity.source);
                return (
                  <li key={identity.id} className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-0.5">
                    <Badge tone={identity.kind === "phone" ? "primary" : "neutral"}>
                      {t(`identityKind.${identity.kind}`)}
                    </Badge>
                    <span className="min-w-0 break-all">{identity.value}</span>
                    <span className="text-xs text-muted-foreground">
                      {t("detail.identitySince", {
                        date: format.dateTime(new Date(identity.createdAt), "date"),
                        source: source ? t(`identitySource.${source}`) : identity.source,
                      })}
                    </span>
                  </li>
                );
              })}
            </ul>
          </CardBody>
        </Card>
        {canWrite ? <ContactMerge id={id} /> : null}
        {canManageData ? <ContactDataRights id={id} name={data.name} phone={data.waId} /> : null}
      </div>
      <Card>
        <CardHeader
          title={t("detail.conversation")}
          description={data.thread ? t(`detail.owner.${data.thread.mode}`) : t("detail.noMessages")}
        />
        {data.thread ? <LearnedContext topics={data.thread.topics} sentiment={data.thread.sentiment} /> : null}
        <CardBody className="max-h-[36rem] space-y-2 overflow-y-auto">
          {data.history.map((message) => (
            <div key={message.id} className={message.direction === "in" ? "flex justify-start" : "flex justify-end"}>
              <div
                className={
                  message.direction === "in"
                    ? "max-w-[75%] rounded-lg bg-muted px-3 py-2 text-sm"
                    : "max-w-[75%] rounded-lg border border-border bg-card px-3 py-2 text-sm"
                }
              >
                <MessageContent content={message.content} body={message.body} mediaLinks={message.mediaLinks} />
                <div className="mt-1 text-[10px] text-foreground/70">
                  {t(`messageSource.${message.source}`)} · {format.dateTime(new Date(message.createdAt), "short")} ·{" "}
                  {t(`messageStatus.${message.status}`)}
                </div>
              </div>
            </div>
          ))}
        </CardBody>
      </Card>
    </div>
  );
}

const OPT_IN_SOURCES = ["agent", "import", "api", "keyword", "form"] as const;

/** The contact's consent as recorded: "Opted in on <date> (source)", "Opted out on <date>", or none. */
function ConsentStatus({
  optedOut,
  optedOutAt,
  optedInAt,
  optInSource,
}: {
  optedOut: boolean;
  optedOutAt: Date | string | null;
  optedInAt: Date | string | null;
  optInSource: string | null;
}) {
  const t = useTranslations("domain.consent.contact");
  const format = useFormatter();
  const date = (at: Date | string) => format.dateTime(new Date(at), "date");
  const source = optInSource ? known(OPT_IN_SOURCES, optInSource) : null;
  let text: string;
  if (optedOut) text = optedOutAt ? t("optedOutOn", { date: date(optedOutAt) }) : t("optedOut");
  else if (optedInAt)
    text = t("optedInOn", { date: date(optedInAt), source: source ? t(`source.${source}`) : (optInSource ?? "") });
  else text = t("none");
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" role="group" aria-label={t("title")}>
      <span className="text-muted-foreground">{t("title")}</span>
      <Badge tone={optedOut ? "danger" : optedInAt ? "success" : "neutral"} data-testid="contact-consent">
        {text}
      </Badge>
    </div>
  );
}

const SENTIMENT_TONE = { positive: "success", neutral: "neutral", negative: "danger" } as const;

/** What the conversation is about and the contact's mood, as learned from their messages. */
function LearnedContext({ topics, sentiment }: { topics: string[]; sentiment: keyof typeof SENTIMENT_TONE | null }) {
  const t = useTranslations("contacts");
  return (
    <div
      className="flex flex-wrap items-center gap-2 border-b border-border px-4 py-2 text-xs"
      role="group"
      aria-label={t("detail.learnedContext")}
    >
      <span className="text-muted-foreground">{t("detail.mood")}</span>
      <Badge tone={sentiment ? SENTIMENT_TONE[sentiment] : "neutral"}>
        {sentiment ? t(`detail.sentiment.${sentiment}`) : t("detail.moodUnknown")}
      </Badge>
      <span className="ml-2 text-muted-foreground">{t("detail.topics")}</span>
      {topics.length > 0 ? (
        topics.map((topic) => <Badge key={topic}>{topic}</Badge>)
      ) : (
        <span className="text-muted-foreground">{t("detail.noTopics")}</span>
      )}
    </div>
  );
}
