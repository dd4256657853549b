"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
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
import { ContactMerge, identityLabel } from "./contact-merge";

/** One contact: details (editable), profile, notes, opt-out and block, and the conversation. */
export function ContactDetail({ id, canWrite }: { id: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const contact = useQuery(trpc.contacts.get.queryOptions({ id }));
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  const save = useMutation(
    trpc.contacts.save.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() }),
    }),
  );
  if (contact.error) return <Alert tone="error">{describeError(contact.error).message}</Alert>;
  if (!contact.data) return <p className="text-sm text-muted-foreground">Loading…</p>;
  const data = contact.data;
  const error = save.error ? describeError(save.error) : null;
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
        blocked: form.get("blocked") === "on",
      },
    });
  };
  return (
    <div className="grid gap-4 lg:grid-cols-[2fr_3fr]">
      <div className="grid content-start gap-4">
        <Card>
          <CardHeader
            title={data.name ?? data.waId}
            description={`First seen ${new Date(data.firstSeenAt).toLocaleDateString()}`}
          />
          <CardBody>
            <form className="grid gap-3" onSubmit={submit}>
              <fieldset disabled={!canWrite} className="contents">
                <Field
                  label="Phone number"
                  htmlFor="d-phone"
                  error={error?.fieldErrors["contact.phone"] ?? error?.fieldErrors.phone}
                >
                  <Input id="d-phone" name="phone" defaultValue={data.waId} />
                </Field>
                <Field label="Name" htmlFor="d-name">
                  <Input id="d-name" name="name" defaultValue={data.name ?? ""} />
                </Field>
                <div className="grid grid-cols-2 gap-3">
                  <Field label="Relationship" htmlFor="d-relationship">
                    <Select id="d-relationship" name="relationship" defaultValue={data.relationship}>
                      {RELATIONSHIPS.map((relationship) => (
                        <option key={relationship}>{relationship}</option>
                      ))}
                    </Select>
                  </Field>
                  <Field label="Priority" htmlFor="d-priority">
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
                <Field label="Tags (comma-separated)" htmlFor="d-tags">
                  <Input id="d-tags" name="tags" defaultValue={data.tags.join(", ")} />
                </Field>
                <Field label="Context profile" htmlFor="d-profile">
                  <Select id="d-profile" name="profileId" defaultValue={data.profileId ?? ""}>
                    <option value="">Default profile</option>
                    {profiles.data?.map((profile) => (
                      <option key={profile.id} value={profile.id}>
                        {profile.name}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label="Notes" htmlFor="d-notes">
                  <textarea
                    id="d-notes"
                    name="notes"
                    defaultValue={data.notes}
                    className="min-h-20 w-full rounded-md border border-border bg-card px-3 py-2 text-sm"
                  />
                </Field>
                <div className="flex gap-4 text-sm">
                  <label className="flex items-center gap-2">
                    <input type="checkbox" name="optedOut" defaultChecked={data.optedOut} /> Opted out
                  </label>
                  <label className="flex items-center gap-2">
                    <input type="checkbox" name="blocked" defaultChecked={data.blocked} /> Blocked
                  </label>
                </div>
              </fieldset>
              {error && Object.keys(error.fieldErrors).length === 0 ? (
                <Alert tone="error">{error.message}</Alert>
              ) : null}
              {save.isSuccess ? <Alert tone="success">Saved.</Alert> : null}
              {canWrite ? (
                <div>
                  <Button type="submit" disabled={save.isPending}>
                    Save
                  </Button>
                </div>
              ) : null}
            </form>
          </CardBody>
        </Card>
        <Card>
          <CardHeader
            title="WhatsApp identities"
            description="Every way WhatsApp has addressed this person; a message from any of them lands here."
          />
          <CardBody>
            <ul className="grid gap-1 text-sm" aria-label="WhatsApp identities">
              {data.identities.map((identity) => (
                <li key={identity.id} className="flex items-center gap-2">
                  <Badge tone={identity.kind === "phone" ? "primary" : "neutral"}>{identity.kind}</Badge>
                  <span>{identityLabel(identity).replace(/^\S+ /, "")}</span>
                  <span className="text-xs text-muted-foreground">
                    since {new Date(identity.createdAt).toLocaleDateString()} · {identity.source}
                  </span>
                </li>
              ))}
            </ul>
          </CardBody>
        </Card>
        {canWrite ? <ContactMerge id={id} /> : null}
      </div>
      <Card>
        <CardHeader title="Conversation" description={data.thread ? `Owner: ${data.thread.mode}` : "No messages yet"} />
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
                <MessageContent content={message.content} body={message.body} />
                <div className="mt-1 text-[10px] text-foreground/70">
                  {message.source} · {new Date(message.createdAt).toLocaleString()} · {message.status}
                </div>
              </div>
            </div>
          ))}
        </CardBody>
      </Card>
    </div>
  );
}

const SENTIMENT_TONE = { positive: "success", neutral: "neutral", negative: "danger" } as const;

/** What the conversation is about and the contact's mood, as learned from their messages. */
function LearnedContext({ topics, sentiment }: { topics: string[]; sentiment: keyof typeof SENTIMENT_TONE | null }) {
  return (
    <div
      className="flex flex-wrap items-center gap-2 border-b border-border px-4 py-2 text-xs"
      role="group"
      aria-label="Learned context"
    >
      <span className="text-muted-foreground">Mood</span>
      <Badge tone={sentiment ? SENTIMENT_TONE[sentiment] : "neutral"}>{sentiment ?? "not known yet"}</Badge>
      <span className="ml-2 text-muted-foreground">Topics</span>
      {topics.length > 0 ? (
        topics.map((topic) => <Badge key={topic}>{topic}</Badge>)
      ) : (
        <span className="text-muted-foreground">none yet</span>
      )}
    </div>
  );
}
