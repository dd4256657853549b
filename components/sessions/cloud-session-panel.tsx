"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { type FormEvent, useId, useRef, useState } from "react";
import { CopyButton } from "~/components/api/one-time-secret";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { CloudCheckResult } from "./cloud-check-result";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { formText } from "~/components/ui/form-text";
import { Input } from "~/components/ui/input";
import { CloudSettingsFields } from "./cloud-settings-fields";
import type { TSession } from "./session-labels";

/**
 * A webhook-inbound number's side of its card (admins): the webhook URL Meta must call and the
 * verify token to paste beside it (hidden until asked), the field to subscribe to, the token
 * check with the stored settings, "Sync templates" and the Templates page, and editing the
 * settings (blank secrets keep the stored ones; saving restarts the number).
 */
export function CloudSessionPanel({ session }: { session: TSession }) {
  const t = useTranslations("sessions.cloud");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = useId();
  const settings = useQuery(trpc.sessions.cloudSettings.queryOptions({ id: session.id }));
  const [revealed, setRevealed] = useState(false);
  const [editing, setEditing] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const check = useMutation(trpc.sessions.checkCloudToken.mutationOptions());
  const sync = useMutation(trpc.sessions.syncTemplates.mutationOptions());
  const update = useMutation(trpc.sessions.updateCloud.mutationOptions());

  if (settings.error) return <Alert tone="error">{describeError(settings.error).message}</Alert>;
  if (!settings.data) return null;
  const data = settings.data;
  // The settings arrive after the page is in the browser, so its address is known (no NEXTAUTH_URL: the one in use).
  const webhookUrl = `${data.publicOrigin ?? window.location.origin}${data.webhookPath}`;

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setFieldErrors({});
    setSaved(false);
    try {
      await update.mutateAsync({
        id: session.id,
        phoneNumberId: formText(form, "phoneNumberId"),
        businessAccountId: formText(form, "businessAccountId"),
        graphVersion: formText(form, "graphVersion"),
        accessToken: formText(form, "accessToken"),
        appSecret: formText(form, "appSecret"),
        verifyToken: formText(form, "verifyToken"),
      });
      await queryClient.invalidateQueries({ queryKey: trpc.sessions.cloudSettings.queryKey({ id: session.id }) });
      await queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
      setEditing(false);
      setSaved(true);
    } catch (caught) {
      setFieldErrors(describeError(caught).fieldErrors);
    }
  }

  return (
    <div className="min-w-0 space-y-3 text-sm" data-testid="cloud-session-panel">
      {data.secretsUnreadable ? <Alert tone="error">{t("panel.unreadable")}</Alert> : null}
      <div className="min-w-0 space-y-1.5">
        <label htmlFor={`${ids}-url`} className="font-medium">
          {t("panel.webhookUrl")}
        </label>
        <div className="flex min-w-0 gap-2">
          <Input
            id={`${ids}-url`}
            readOnly
            value={webhookUrl}
            className="min-w-0 font-mono text-xs"
            data-testid="cloud-webhook-url"
          />
          <CopyButton text={webhookUrl} selectId={`${ids}-url`} />
        </div>
      </div>
      <div className="min-w-0 space-y-1.5">
        <label htmlFor={`${ids}-verify`} className="font-medium">
          {t("panel.verifyToken")}
        </label>
        <div className="flex min-w-0 flex-wrap gap-2">
          <Input
            id={`${ids}-verify`}
            readOnly
            type={revealed ? "text" : "password"}
            value={data.verifyToken ?? ""}
            className="min-w-0 flex-1 basis-40 font-mono text-xs"
            data-testid="cloud-verify-token"
          />
          <Button size="sm" variant="secondary" className="shrink-0" onClick={() => setRevealed((value) => !value)}>
            {revealed ? t("panel.hide") : t("panel.reveal")}
          </Button>
          {data.verifyToken ? <CopyButton text={data.verifyToken} selectId={`${ids}-verify`} /> : null}
        </div>
      </div>
      <p className="text-muted-foreground">
        {t.rich("panel.subscribe", {
          fields: data.webhookFields.join(", "),
          code: (chunks) => <code className="rounded bg-muted px-1 text-xs text-foreground">{chunks}</code>,
        })}
      </p>
      <p className="text-muted-foreground">
        {t("panel.stored", {
          phoneNumberId: data.phoneNumberId ?? "—",
          version: data.graphVersion,
          end: data.accessTokenEnd ?? "—",
        })}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          variant="secondary"
          disabled={check.isPending}
          onClick={() => check.mutate({ id: session.id })}
        >
          {check.isPending ? t("check.checking") : t("check.button")}
        </Button>
        <Button size="sm" variant="secondary" disabled={sync.isPending} onClick={() => sync.mutate({ id: session.id })}>
          {sync.isPending ? t("panel.syncing") : t("panel.sync")}
        </Button>
        <Link
          href={`/sessions/${session.id}/templates`}
          className="inline-flex h-8 items-center rounded-md border border-border bg-card px-3 text-sm font-medium hover:bg-muted"
        >
          {t("panel.templates")}
        </Link>
        <Button size="sm" variant="ghost" onClick={() => setEditing((value) => !value)} aria-expanded={editing}>
          {editing ? t("panel.cancelEdit") : t("panel.edit")}
        </Button>
      </div>
      <CloudCheckResult check={check} />
      {sync.data && !sync.isPending ? (
        <Alert tone="success" className="break-words">
          <span data-testid="cloud-sync-result">{t("panel.synced", sync.data)}</span>
        </Alert>
      ) : null}
      {sync.error && !sync.isPending ? (
        <Alert tone="error" className="break-words">
          <span data-testid="cloud-sync-result">{describeError(sync.error).message}</span>
        </Alert>
      ) : null}
      {saved ? <Alert tone="success">{t("panel.saved")}</Alert> : null}
      {editing ? (
        <form
          ref={formRef}
          onSubmit={(event) => void onSave(event)}
          noValidate
          className="space-y-4 border-t border-border pt-4"
          aria-label={t("panel.editLabel", { name: session.name })}
        >
          <CloudSettingsFields
            idPrefix={`${ids}-edit`}
            formRef={formRef}
            fieldErrors={fieldErrors}
            sessionId={session.id}
            stored={data}
          />
          {update.error ? <Alert tone="error">{describeError(update.error).message}</Alert> : null}
          <Button type="submit" disabled={update.isPending}>
            {update.isPending ? t("panel.saving") : t("panel.save")}
          </Button>
        </form>
      ) : null}
    </div>
  );
}
