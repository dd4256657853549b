"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input } from "~/components/ui/input";
import type { TEndpointInput } from "~/server/webhooks/endpoints";
import { groupEventTypes, type TEndpoint } from "./webhook-labels";

/**
 * Adds or edits an endpoint: URL, description, the event types it receives ("All events" or a
 * choice) and whether it is enabled. URL problems (not https, a private address…) show on the
 * field. A new endpoint's signing secret goes to `onCreated`, to be shown once.
 */
export function EndpointForm({
  endpoint,
  onCreated,
  onDone,
}: {
  endpoint: TEndpoint | null;
  onCreated: (created: { id: string; url: string; secret: string }) => void;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const t = useTranslations("webhooks.form");
  const tc = useTranslations("common");
  const queryClient = useQueryClient();
  const eventTypes = useQuery(trpc.webhooks.eventTypes.queryOptions(undefined, { staleTime: Infinity }));
  const [allEvents, setAllEvents] = useState(!endpoint || endpoint.events.length === 0);
  const [chosen, setChosen] = useState<string[]>(endpoint?.events ?? []);
  const [eventsError, setEventsError] = useState<string | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: async (result) => {
        await invalidate();
        onCreated({ id: result.endpoint.id, url: result.endpoint.url, secret: result.secret });
      },
    }),
  );
  const update = useMutation(
    trpc.webhooks.update.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onDone();
      },
    }),
  );
  const save = endpoint ? update : create;
  const error = save.error ? describeError(save.error) : null;
  /** The server's message for a field, whatever its path (`url`, `endpoint.url`, `endpoint.events.2`). */
  const fieldError = (key: string) =>
    Object.entries(error?.fieldErrors ?? {}).find(([path]) =>
      [key, `endpoint.${key}`].some((prefix) => path === prefix || path.startsWith(`${prefix}.`)),
    )?.[1];
  const placedErrors = ["url", "description", "events"].filter((key) => fieldError(key)).length;
  const idPrefix = endpoint ? `wh-edit-${endpoint.id}` : "wh-new";

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (!allEvents && chosen.length === 0) {
      setEventsError(t("chooseEvents"));
      return;
    }
    setEventsError(null);
    const input = {
      url: formText(form, "url"),
      description: formText(form, "description"),
      events: allEvents ? [] : (chosen as TEndpointInput["events"]),
      enabled: form.get("enabled") === "on",
    };
    if (endpoint) update.mutate({ id: endpoint.id, endpoint: input });
    else create.mutate(input);
  }

  const toggle = (type: string, on: boolean) =>
    setChosen((current) => (on ? [...current, type] : current.filter((item) => item !== type)));

  return (
    <Card>
      <CardHeader
        title={endpoint ? t("editTitle") : t("addTitle")}
        description={endpoint ? t("editDescription") : t("addDescription")}
      />
      <CardBody>
        <form
          noValidate
          className="grid gap-4 md:grid-cols-2"
          onSubmit={submit}
          aria-label={endpoint ? t("editTitle") : t("addTitle")}
        >
          <Field label={t("url")} htmlFor={`${idPrefix}-url`} error={fieldError("url")} hint={t("urlHint")}>
            <Input
              id={`${idPrefix}-url`}
              name="url"
              type="url"
              placeholder="https://example.com/hooks/switchboard"
              defaultValue={endpoint?.url ?? ""}
              aria-invalid={fieldError("url") ? true : undefined}
            />
          </Field>
          <Field label={t("description")} htmlFor={`${idPrefix}-description`} error={fieldError("description")}>
            <Input
              id={`${idPrefix}-description`}
              name="description"
              placeholder={t("descriptionPlaceholder")}
              aria-invalid={fieldError("description") ? true : undefined}
              maxLength={500}
              defaultValue={endpoint?.description ?? ""}
            />
          </Field>
          <fieldset
            className="min-w-0 text-sm md:col-span-2"
            aria-describedby={eventsError || fieldError("events") ? `${idPrefix}-events-error` : undefined}
          >
            <legend className="mb-2 font-medium">{t("events")}</legend>
            <label className="mb-2 flex items-center gap-2">
              <input type="checkbox" checked={allEvents} onChange={(event) => setAllEvents(event.target.checked)} />
              {t("allEvents")} <span className="text-muted-foreground">{t("allEventsNote")}</span>
            </label>
            {eventTypes.error ? <Alert tone="error">{describeError(eventTypes.error).message}</Alert> : null}
            <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
              {groupEventTypes(eventTypes.data ?? []).map(([group, types]) => (
                <div key={group} className="flex flex-col gap-1">
                  {types.map((type) => (
                    <label key={type} className="flex min-w-0 items-center gap-2 break-all font-mono text-xs">
                      <input
                        type="checkbox"
                        name="events"
                        value={type}
                        disabled={allEvents}
                        checked={allEvents || chosen.includes(type)}
                        onChange={(event) => toggle(type, event.target.checked)}
                      />
                      {type}
                    </label>
                  ))}
                </div>
              ))}
            </div>
            {eventsError || fieldError("events") ? (
              <p id={`${idPrefix}-events-error`} role="alert" className="mt-2 text-xs text-destructive">
                {eventsError ?? fieldError("events")}
              </p>
            ) : null}
          </fieldset>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="enabled" defaultChecked={endpoint?.enabled ?? true} /> {t("enabled")}
          </label>
          {error ? (
            <div className="md:col-span-2">
              <Alert tone="error">{placedErrors > 0 ? t("notSaved", { count: placedErrors }) : error.message}</Alert>
            </div>
          ) : null}
          <div className="flex flex-wrap gap-2 md:col-span-2">
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? tc("saving") : endpoint ? t("save") : t("add")}
            </Button>
            <Button variant="ghost" onClick={onDone}>
              {tc("cancel")}
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
