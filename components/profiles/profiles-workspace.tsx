"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { type FormEvent, useMemo, useState } from "react";
import { EvaluationButton } from "~/components/evaluation/evaluation-panel";
import { ProfileToolsPicker } from "~/components/tools/profile-tools-picker";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { EMOJI_USES, FORMALITIES, RESPONSE_LENGTHS } from "~/db/schema/profiles";
import { RELATIONSHIPS } from "~/db/schema/relationship";
import type { TProfileInput } from "~/server/profiles/profiles";

type TProfile = TProfileInput & { id: string };

/** Languages the bot is most often asked to speak; a profile's own code is kept when it is not listed. */
const LANGUAGE_CODES = [
  "en",
  "es",
  "pt",
  "pt-BR",
  "fr",
  "de",
  "it",
  "nl",
  "pl",
  "ro",
  "tr",
  "ru",
  "uk",
  "ar",
  "hi",
  "bn",
  "id",
  "ms",
  "th",
  "vi",
  "zh",
  "ja",
  "ko",
  "sw",
] as const;

/** A language code's name in the reader's language ("pt-BR" → "Brazilian Portuguese"), or the code itself. */
function useLanguageName() {
  const locale = useLocale();
  const names = useMemo(() => new Intl.DisplayNames([locale], { type: "language" }), [locale]);
  return (code: string) => {
    try {
      return names.of(code) ?? code;
    } catch {
      return code;
    }
  };
}

/** Where the server reports a problem (`profile.businessInfo.links.2`) → the form field that shows it. */
function fieldOf(path: string): string {
  const parts = path.replace(/^profile\./, "").split(".");
  if (parts[0] !== "businessInfo") return parts[0] ?? path;
  return parts[1] === "name" ? "businessName" : (parts[1] ?? "businessInfo");
}

const split = (text: string, by: RegExp) =>
  text
    .split(by)
    .map((part) => part.trim())
    .filter(Boolean);

const TEXTAREA =
  "min-h-20 w-full rounded-md border border-border bg-card px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-primary";

/** The Profiles page: how the bot speaks to each kind of contact, with a prompt preview. */
export function ProfilesWorkspace({ canWrite }: { canWrite: boolean }) {
  const t = useTranslations("profiles");
  const tc = useTranslations("common");
  const languageName = useLanguageName();
  const trpc = useTRPC();
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  const [editing, setEditing] = useState<TProfile | "new" | null>(null);
  const [previewing, setPreviewing] = useState<string | null>(null);
  if (profiles.error) return <Alert tone="error">{describeError(profiles.error).message}</Alert>;
  return (
    <div className="flex flex-col gap-4">
      {editing ? (
        <Card>
          <CardHeader
            title={editing === "new" ? t("workspace.newProfile") : t("workspace.editProfile", { name: editing.name })}
          />
          <CardBody>
            <ProfileForm
              profile={editing === "new" ? null : editing}
              canWrite={canWrite}
              onDone={() => setEditing(null)}
            />
          </CardBody>
        </Card>
      ) : null}
      <Card>
        <CardHeader
          title={t("workspace.title")}
          description={t("workspace.description")}
          actions={
            canWrite ? (
              <Button size="sm" onClick={() => setEditing("new")}>
                {t("workspace.newProfile")}
              </Button>
            ) : null
          }
        />
        <CardBody>
          {profiles.data?.length === 0 ? <p className="text-sm text-muted-foreground">{t("workspace.empty")}</p> : null}
          <ul className="flex flex-col gap-1">
            {profiles.data?.map((profile) => (
              <li
                key={profile.id}
                className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-border px-3 py-2 text-sm"
              >
                <span className="min-w-0 font-medium break-words">{profile.name}</span>
                {profile.isDefault ? <Badge>{t("workspace.default")}</Badge> : null}
                <span className="min-w-0 truncate text-muted-foreground">
                  {t("workspace.summary", {
                    tone: profile.tone,
                    formality: t(`formality.${profile.formality}`),
                    language: languageName(profile.language),
                  })}
                </span>
                <div className="ml-auto flex flex-wrap gap-1">
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => setPreviewing(previewing === profile.id ? null : profile.id)}
                  >
                    {t("workspace.previewPrompt")}
                  </Button>
                  <EvaluationButton profile={profile} canWrite={canWrite} />
                  <Button size="sm" variant="secondary" onClick={() => setEditing({ ...profile })}>
                    {canWrite ? tc("edit") : t("workspace.view")}
                  </Button>
                </div>
              </li>
            ))}
          </ul>
          {previewing ? <PromptPreview profileId={previewing} /> : null}
        </CardBody>
      </Card>
    </div>
  );
}

function PromptPreview({ profileId }: { profileId: string }) {
  const t = useTranslations("profiles.preview");
  const trpc = useTRPC();
  const preview = useMutation(trpc.profiles.preview.mutationOptions());
  const [message, setMessage] = useState(() => t("defaultMessage"));
  const [search, setSearch] = useState("");
  const [contactId, setContactId] = useState("");
  const contacts = useQuery(trpc.contacts.list.queryOptions({ search: search || undefined, limit: 20 }));
  return (
    <div className="mt-4 border-t border-border pt-4" role="group" aria-label={t("label")}>
      <div className="mb-2 flex flex-col gap-2 sm:flex-row">
        <Input
          aria-label={t("findContact")}
          placeholder={t("findPlaceholder")}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <Select
          aria-label={t("contact")}
          className="sm:w-64"
          value={contactId}
          onChange={(event) => setContactId(event.target.value)}
        >
          <option value="">{t("exampleContact")}</option>
          {contacts.data?.contacts.map((contact) => (
            <option key={contact.id} value={contact.id}>
              {contact.name ? t("contactOption", { name: contact.name, number: contact.waId }) : contact.waId}
            </option>
          ))}
        </Select>
      </div>
      <form
        className="flex flex-col gap-2 sm:flex-row"
        onSubmit={(event) => {
          event.preventDefault();
          preview.mutate({ profileId, message, ...(contactId ? { contactId } : {}) });
        }}
      >
        <Input aria-label={t("message")} value={message} onChange={(event) => setMessage(event.target.value)} />
        <Button type="submit" className="shrink-0 whitespace-nowrap">
          {t("show")}
        </Button>
      </form>
      {preview.error ? <Alert tone="error">{describeError(preview.error).message}</Alert> : null}
      {preview.data?.handoff ? (
        <div className="mt-3">
          <Alert tone="info">{t("handoff")}</Alert>
        </div>
      ) : null}
      {preview.data?.knowledge ? (
        <div className="mt-3 text-xs">
          <h3 className="mb-1 text-sm font-medium">{t("knowledge")}</h3>
          <p className="mb-1 text-muted-foreground">
            {t("knowledgeMode", { mode: t(preview.data.knowledge.mode === "hybrid" ? "modeHybrid" : "modeText") })}
          </p>
          {preview.data.knowledge.passages.length === 0 ? (
            <p className="text-muted-foreground">{t("knowledgeNone")}</p>
          ) : (
            <ol className="flex list-decimal flex-col gap-1 pl-5" aria-label={t("knowledge")}>
              {preview.data.knowledge.passages.map((passage) => (
                <li key={passage.id}>
                  <span className="font-medium" translate="no">
                    {passage.title}
                  </span>{" "}
                  <span className="text-muted-foreground">
                    {t("passageRanks", { text: passage.textRank ?? "–", vector: passage.vectorRank ?? "–" })}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </div>
      ) : null}
      {preview.data ? (
        <div className="mt-3 grid gap-3 text-xs md:grid-cols-2">
          <div className="min-w-0">
            <h3 className="mb-1 text-sm font-medium">{t("systemInstruction")}</h3>
            <pre className="rounded bg-muted p-2 break-words whitespace-pre-wrap" translate="no">
              {preview.data.systemInstruction}
            </pre>
          </div>
          <div className="min-w-0">
            <h3 className="mb-1 text-sm font-medium">{t("conversation")}</h3>
            <pre className="rounded bg-muted p-2 break-all whitespace-pre-wrap">
              {JSON.stringify(preview.data.contents, null, 2)}
            </pre>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function ProfileForm({
  profile,
  canWrite,
  onDone,
}: {
  profile: TProfile | null;
  canWrite: boolean;
  onDone: () => void;
}) {
  const t = useTranslations("profiles");
  const tc = useTranslations("common");
  const languageName = useLanguageName();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useMutation(
    trpc.profiles.save.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.profiles.pathKey() });
        onDone();
      },
    }),
  );
  const collections = useQuery(trpc.profiles.collections.queryOptions());
  const error = save.error ? describeError(save.error) : null;
  // The first problem the server found in each field (links report each link: `businessInfo.links.2`).
  const fieldErrors: Record<string, string> = {};
  for (const [path, message] of Object.entries(error?.fieldErrors ?? {})) fieldErrors[fieldOf(path)] ??= message;
  const fieldError = (key: string) => fieldErrors[key];
  const language = profile?.language ?? "en";
  const languages: string[] = (LANGUAGE_CODES as readonly string[]).includes(language)
    ? [...LANGUAGE_CODES]
    : [language, ...LANGUAGE_CODES];
  const business = profile?.businessInfo ?? {};
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => formText(form, name);
    save.mutate({
      id: profile?.id ?? null,
      profile: {
        name: text("name"),
        persona: text("persona"),
        businessInfo: {
          ...(text("businessName") ? { name: text("businessName") } : {}),
          services: split(text("services"), /,/),
          ...(text("hours") ? { hours: text("hours") } : {}),
          links: split(text("links"), /[\s,]+/),
          facts: split(text("facts"), /\n/),
        },
        tone: text("tone"),
        formality: text("formality") as TProfileInput["formality"],
        responseLength: text("responseLength") as TProfileInput["responseLength"],
        emoji: text("emoji") as TProfileInput["emoji"],
        language: text("language"),
        topics: split(text("topics"), /,/),
        topicsToAvoid: split(text("topicsToAvoid"), /,/),
        instructions: text("instructions"),
        fallbackText: text("fallbackText"),
        isDefault: form.get("isDefault") === "on",
        relationships: RELATIONSHIPS.filter((relationship) => form.get(`for-${relationship}`) === "on"),
        collectionIds: form.getAll("collection").map(String),
        knowledgeOnly: form.get("knowledgeOnly") === "on",
        citeSources: form.get("citeSources") === "on",
      },
    });
  };
  return (
    <form className="grid gap-4 md:grid-cols-3" onSubmit={submit}>
      <fieldset disabled={!canWrite} className="contents">
        <Field label={t("form.name")} htmlFor="p-name" error={fieldError("name")}>
          <Input id="p-name" name="name" defaultValue={profile?.name ?? ""} />
        </Field>
        <Field label={t("form.businessName")} htmlFor="p-business" error={fieldError("businessName")}>
          <Input id="p-business" name="businessName" defaultValue={business.name ?? ""} />
        </Field>
        <Field label={t("form.hours")} htmlFor="p-hours" error={fieldError("hours")}>
          <Input
            id="p-hours"
            name="hours"
            defaultValue={business.hours ?? ""}
            placeholder={t("form.hoursPlaceholder")}
          />
        </Field>
        <Field label={t("form.persona")} htmlFor="p-persona" error={fieldError("persona")} className="md:col-span-3">
          <textarea id="p-persona" name="persona" className={TEXTAREA} defaultValue={profile?.persona ?? ""} />
        </Field>
        <Field label={t("form.services")} htmlFor="p-services" error={fieldError("services")}>
          <Input id="p-services" name="services" defaultValue={(business.services ?? []).join(", ")} />
        </Field>
        <Field label={t("form.links")} htmlFor="p-links" hint={t("form.linksHint")} error={fieldError("links")}>
          <Input id="p-links" name="links" defaultValue={(business.links ?? []).join(" ")} />
        </Field>
        <Field
          label={t("form.language")}
          htmlFor="p-language"
          hint={t("form.languageHint")}
          error={fieldError("language")}
        >
          <Select id="p-language" name="language" defaultValue={language}>
            {languages.map((code) => (
              <option key={code} value={code}>
                {languageName(code)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t("form.facts")} htmlFor="p-facts" error={fieldError("facts")} className="md:col-span-3">
          <textarea id="p-facts" name="facts" className={TEXTAREA} defaultValue={(business.facts ?? []).join("\n")} />
        </Field>
        <Field label={t("form.tone")} htmlFor="p-tone" error={fieldError("tone")}>
          <Input id="p-tone" name="tone" defaultValue={profile?.tone ?? "friendly"} />
        </Field>
        <Field label={t("form.formality")} htmlFor="p-formality">
          <Select id="p-formality" name="formality" defaultValue={profile?.formality ?? "neutral"}>
            {FORMALITIES.map((value) => (
              <option key={value} value={value}>
                {t(`formality.${value}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t("form.length")} htmlFor="p-length">
          <Select id="p-length" name="responseLength" defaultValue={profile?.responseLength ?? "short"}>
            {RESPONSE_LENGTHS.map((value) => (
              <option key={value} value={value}>
                {t(`length.${value}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t("form.emoji")} htmlFor="p-emoji">
          <Select id="p-emoji" name="emoji" defaultValue={profile?.emoji ?? "some"}>
            {EMOJI_USES.map((value) => (
              <option key={value} value={value}>
                {t(`emoji.${value}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t("form.topics")} htmlFor="p-topics" error={fieldError("topics")}>
          <Input id="p-topics" name="topics" defaultValue={(profile?.topics ?? []).join(", ")} />
        </Field>
        <Field label={t("form.topicsToAvoid")} htmlFor="p-avoid" error={fieldError("topicsToAvoid")}>
          <Input id="p-avoid" name="topicsToAvoid" defaultValue={(profile?.topicsToAvoid ?? []).join(", ")} />
        </Field>
        <Field
          label={t("form.instructions")}
          htmlFor="p-instructions"
          error={fieldError("instructions")}
          className="md:col-span-3"
        >
          <textarea
            id="p-instructions"
            name="instructions"
            className={TEXTAREA}
            defaultValue={profile?.instructions ?? ""}
          />
        </Field>
        <Field
          label={t("form.fallback")}
          htmlFor="p-fallback"
          error={fieldError("fallbackText")}
          className="md:col-span-2"
        >
          <Input id="p-fallback" name="fallbackText" defaultValue={profile?.fallbackText ?? ""} />
        </Field>
        <label className="flex items-end gap-2 pb-2 text-sm">
          <input type="checkbox" name="isDefault" defaultChecked={profile?.isDefault ?? false} /> {t("form.isDefault")}
        </label>
        <fieldset className="text-sm md:col-span-3">
          <legend className="mb-1 font-medium">{t("form.relationships")}</legend>
          <div className="flex flex-wrap gap-4">
            {RELATIONSHIPS.map((relationship) => (
              <label key={relationship} className="flex items-center gap-2">
                <input
                  type="checkbox"
                  name={`for-${relationship}`}
                  defaultChecked={profile?.relationships?.includes(relationship) ?? false}
                />
                {t(`relationships.${relationship}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className="text-sm md:col-span-3">
          <legend className="mb-1 font-medium">{t("form.knowledge")}</legend>
          <p className="mb-2 text-xs text-muted-foreground">{t("form.knowledgeHint")}</p>
          {collections.data?.length === 0 ? (
            <p className="mb-2 text-xs">{t("form.noCollections")}</p>
          ) : (
            <div className="mb-2 flex flex-wrap gap-4">
              {collections.data?.map((collection) => (
                <label key={collection.id} className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    name="collection"
                    value={collection.id}
                    defaultChecked={profile?.collectionIds?.includes(collection.id) ?? false}
                  />
                  <span translate="no">
                    {t("form.collectionOption", { name: collection.name, count: collection.passages })}
                  </span>
                </label>
              ))}
            </div>
          )}
          {fieldError("collectionIds") ? (
            <p className="mb-2 text-xs text-destructive" role="alert">
              {fieldError("collectionIds")}
            </p>
          ) : null}
          <div className="flex flex-col gap-1">
            <label className="flex items-center gap-2">
              <input type="checkbox" name="knowledgeOnly" defaultChecked={profile?.knowledgeOnly ?? false} />
              {t("form.knowledgeOnly")}
            </label>
            <label className="flex items-center gap-2">
              <input type="checkbox" name="citeSources" defaultChecked={profile?.citeSources ?? true} />
              {t("form.citeSources")}
            </label>
          </div>
        </fieldset>
        {profile ? (
          <div className="md:col-span-3">
            <ProfileToolsPicker profileId={profile.id} canWrite={canWrite} />
          </div>
        ) : null}
      </fieldset>
      {error ? (
        <div className="md:col-span-3">
          <Alert tone="error">{Object.keys(error.fieldErrors).length > 0 ? t("form.fixFields") : error.message}</Alert>
        </div>
      ) : null}
      <div className="flex flex-wrap gap-2 md:col-span-3">
        {canWrite ? (
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? tc("saving") : t("form.save")}
          </Button>
        ) : null}
        <Button variant="ghost" onClick={onDone}>
          {tc("cancel")}
        </Button>
      </div>
    </form>
  );
}
