"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
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

const split = (text: string, by: RegExp) =>
  text
    .split(by)
    .map((part) => part.trim())
    .filter(Boolean);

const TEXTAREA =
  "min-h-20 w-full rounded-md border border-border bg-card px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-primary";

/** The Profiles page: how the bot speaks to each kind of contact, with a prompt preview. */
export function ProfilesWorkspace({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  const [editing, setEditing] = useState<TProfile | "new" | null>(null);
  const [previewing, setPreviewing] = useState<string | null>(null);
  if (profiles.error) return <Alert tone="error">{describeError(profiles.error).message}</Alert>;
  return (
    <div className="flex flex-col gap-4">
      {editing ? (
        <Card>
          <CardHeader title={editing === "new" ? "New profile" : `Edit “${editing.name}”`} />
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
          title="Context profiles"
          description="Who the bot is for a contact, what it knows, how it speaks. The default profile serves contacts without one."
          actions={
            canWrite ? (
              <Button size="sm" onClick={() => setEditing("new")}>
                New profile
              </Button>
            ) : null
          }
        />
        <CardBody>
          {profiles.data?.length === 0 ? <p className="text-sm text-muted-foreground">No profiles yet.</p> : null}
          <ul className="flex flex-col gap-1">
            {profiles.data?.map((profile) => (
              <li
                key={profile.id}
                className="flex items-center gap-3 rounded-md border border-border px-3 py-2 text-sm"
              >
                <span className="font-medium">{profile.name}</span>
                {profile.isDefault ? <Badge>default</Badge> : null}
                <span className="truncate text-muted-foreground">
                  {profile.tone}, {profile.formality}, {profile.language}
                </span>
                <div className="ml-auto flex gap-1">
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => setPreviewing(previewing === profile.id ? null : profile.id)}
                  >
                    Preview prompt
                  </Button>
                  <Button size="sm" variant="secondary" onClick={() => setEditing({ ...profile })}>
                    {canWrite ? "Edit" : "View"}
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
  const trpc = useTRPC();
  const preview = useMutation(trpc.profiles.preview.mutationOptions());
  const [message, setMessage] = useState("What are your prices?");
  const [search, setSearch] = useState("");
  const [contactId, setContactId] = useState("");
  const contacts = useQuery(trpc.contacts.list.queryOptions({ search: search || undefined, limit: 20 }));
  return (
    <div className="mt-4 border-t border-border pt-4" role="group" aria-label="Prompt preview">
      <div className="mb-2 flex gap-2">
        <Input
          aria-label="Find a contact for the preview"
          placeholder="Find a contact (name, number, tag)"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <Select aria-label="Contact" value={contactId} onChange={(event) => setContactId(event.target.value)}>
          <option value="">An example contact</option>
          {contacts.data?.contacts.map((contact) => (
            <option key={contact.id} value={contact.id}>
              {contact.name ? `${contact.name} (${contact.waId})` : contact.waId}
            </option>
          ))}
        </Select>
      </div>
      <form
        className="flex gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          preview.mutate({ profileId, message, ...(contactId ? { contactId } : {}) });
        }}
      >
        <Input aria-label="Message to preview" value={message} onChange={(event) => setMessage(event.target.value)} />
        <Button type="submit" className="shrink-0 whitespace-nowrap">
          Show the request
        </Button>
      </form>
      {preview.error ? <Alert tone="error">{describeError(preview.error).message}</Alert> : null}
      {preview.data ? (
        <div className="mt-3 grid gap-3 md:grid-cols-2 text-xs">
          <div>
            <h3 className="mb-1 text-sm font-medium">System instruction</h3>
            <pre className="whitespace-pre-wrap rounded bg-muted p-2">{preview.data.systemInstruction}</pre>
          </div>
          <div>
            <h3 className="mb-1 text-sm font-medium">Conversation (as data)</h3>
            <pre className="whitespace-pre-wrap rounded bg-muted p-2">
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
  const error = save.error ? describeError(save.error) : null;
  const fieldError = (key: string) => error?.fieldErrors[`profile.${key}`] ?? error?.fieldErrors[key];
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
      },
    });
  };
  return (
    <form className="grid gap-4 md:grid-cols-3" onSubmit={submit}>
      <fieldset disabled={!canWrite} className="contents">
        <Field label="Name" htmlFor="p-name" error={fieldError("name")}>
          <Input id="p-name" name="name" defaultValue={profile?.name ?? ""} />
        </Field>
        <Field label="Business name" htmlFor="p-business">
          <Input id="p-business" name="businessName" defaultValue={business.name ?? ""} />
        </Field>
        <Field label="Opening hours" htmlFor="p-hours">
          <Input id="p-hours" name="hours" defaultValue={business.hours ?? ""} placeholder="Mon–Fri 9–17" />
        </Field>
        <Field label="Persona" htmlFor="p-persona" className="md:col-span-3">
          <textarea id="p-persona" name="persona" className={TEXTAREA} defaultValue={profile?.persona ?? ""} />
        </Field>
        <Field label="Services (comma-separated)" htmlFor="p-services">
          <Input id="p-services" name="services" defaultValue={(business.services ?? []).join(", ")} />
        </Field>
        <Field label="Links" htmlFor="p-links" error={fieldError("businessInfo.links.0")}>
          <Input id="p-links" name="links" defaultValue={(business.links ?? []).join(" ")} />
        </Field>
        <Field label="Language" htmlFor="p-language" error={fieldError("language")}>
          <Input id="p-language" name="language" defaultValue={profile?.language ?? "en"} />
        </Field>
        <Field label="Business facts (one per line)" htmlFor="p-facts" className="md:col-span-3">
          <textarea id="p-facts" name="facts" className={TEXTAREA} defaultValue={(business.facts ?? []).join("\n")} />
        </Field>
        <Field label="Tone" htmlFor="p-tone">
          <Input id="p-tone" name="tone" defaultValue={profile?.tone ?? "friendly"} />
        </Field>
        <Field label="Formality" htmlFor="p-formality">
          <Select id="p-formality" name="formality" defaultValue={profile?.formality ?? "neutral"}>
            {FORMALITIES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </Select>
        </Field>
        <Field label="Length" htmlFor="p-length">
          <Select id="p-length" name="responseLength" defaultValue={profile?.responseLength ?? "short"}>
            {RESPONSE_LENGTHS.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </Select>
        </Field>
        <Field label="Emoji" htmlFor="p-emoji">
          <Select id="p-emoji" name="emoji" defaultValue={profile?.emoji ?? "some"}>
            {EMOJI_USES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </Select>
        </Field>
        <Field label="Topics to cover (comma-separated)" htmlFor="p-topics">
          <Input id="p-topics" name="topics" defaultValue={(profile?.topics ?? []).join(", ")} />
        </Field>
        <Field label="Topics to avoid (comma-separated)" htmlFor="p-avoid">
          <Input id="p-avoid" name="topicsToAvoid" defaultValue={(profile?.topicsToAvoid ?? []).join(", ")} />
        </Field>
        <Field label="Extra instructions" htmlFor="p-instructions" className="md:col-span-3">
          <textarea
            id="p-instructions"
            name="instructions"
            className={TEXTAREA}
            defaultValue={profile?.instructions ?? ""}
          />
        </Field>
        <Field label="Fallback text (when the AI cannot answer)" htmlFor="p-fallback" className="md:col-span-2">
          <Input id="p-fallback" name="fallbackText" defaultValue={profile?.fallbackText ?? ""} />
        </Field>
        <label className="flex items-end gap-2 pb-2 text-sm">
          <input type="checkbox" name="isDefault" defaultChecked={profile?.isDefault ?? false} /> Default profile
        </label>
        <fieldset className="md:col-span-3 text-sm">
          <legend className="mb-1 font-medium">
            Use for contacts who are (unless they have a profile of their own)
          </legend>
          <div className="flex flex-wrap gap-4">
            {RELATIONSHIPS.map((relationship) => (
              <label key={relationship} className="flex items-center gap-2">
                <input
                  type="checkbox"
                  name={`for-${relationship}`}
                  defaultChecked={profile?.relationships?.includes(relationship) ?? false}
                />
                {relationship}
              </label>
            ))}
          </div>
        </fieldset>
      </fieldset>
      {error ? (
        <div className="md:col-span-3">
          <Alert tone="error">{error.message}</Alert>
        </div>
      ) : null}
      <div className="flex gap-2 md:col-span-3">
        {canWrite ? (
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save profile"}
          </Button>
        ) : null}
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
