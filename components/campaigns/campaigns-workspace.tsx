"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import type { TCampaignStatus } from "~/server/campaigns/campaigns";
import { SegmentEditor } from "./segment-editor";

/** How often a running campaign's progress is read again. */
const POLL_MS = 2_000;

const STATUS_TONES = {
  draft: "neutral",
  scheduled: "primary",
  running: "primary",
  paused: "warning",
  cancelled: "danger",
  done: "success",
} as const satisfies Record<TCampaignStatus, string>;

const TEXTAREA =
  "min-h-24 w-full rounded-md border border-border bg-card px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-primary aria-[invalid=true]:border-destructive";

/** The Campaigns page: the campaigns with their status, a new campaign's form, and the chosen one's live progress. */
export function CampaignsWorkspace({ canWrite }: { canWrite: boolean }) {
  const t = useTranslations("domain.campaigns.ui");
  const trpc = useTRPC();
  const list = useQuery(
    trpc.campaigns.list.queryOptions(undefined, {
      refetchInterval: (query) =>
        query.state.data?.some((campaign) => campaign.status === "running" || campaign.status === "scheduled")
          ? POLL_MS
          : false,
    }),
  );
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const campaigns = list.data ?? [];
  const selected = campaigns.find((campaign) => campaign.id === selectedId) ?? null;

  return (
    <div className="grid gap-4 lg:grid-cols-[20rem_minmax(0,1fr)]">
      <Card className="self-start">
        <CardHeader
          title={t("list.heading")}
          actions={
            canWrite ? (
              <Button variant="secondary" size="sm" onClick={() => setCreating(true)}>
                {t("list.new")}
              </Button>
            ) : null
          }
        />
        <CardBody>
          {list.error ? <Alert tone="error">{describeError(list.error).message}</Alert> : null}
          {list.data && campaigns.length === 0 ? (
            <p className="text-sm text-muted-foreground">{t("list.empty")}</p>
          ) : null}
          <ul className="flex flex-col gap-1" aria-label={t("list.heading")}>
            {campaigns.map((campaign) => (
              <li key={campaign.id}>
                <button
                  type="button"
                  aria-current={selected?.id === campaign.id ? "true" : undefined}
                  onClick={() => {
                    setSelectedId(campaign.id);
                    setCreating(false);
                  }}
                  className="flex w-full items-center justify-between gap-2 rounded-md border-l-2 border-transparent px-3 py-2 text-left text-sm hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary aria-[current=true]:border-primary aria-[current=true]:bg-card"
                >
                  <span className="font-medium break-words">{campaign.name}</span>
                  <Badge tone={STATUS_TONES[campaign.status]}>{t(`status.${campaign.status}`)}</Badge>
                </button>
              </li>
            ))}
          </ul>
        </CardBody>
      </Card>
      <div className="flex min-w-0 flex-col gap-4">
        {creating && canWrite ? (
          <NewCampaign
            onCreated={(id) => {
              setCreating(false);
              setSelectedId(id);
            }}
          />
        ) : selected ? (
          <CampaignDetail id={selected.id} canWrite={canWrite} />
        ) : (
          <Card>
            <CardBody>
              <p className="text-sm text-muted-foreground">{t("pick")}</p>
            </CardBody>
          </Card>
        )}
      </div>
    </div>
  );
}

function NewCampaign({ onCreated }: { onCreated: (id: string) => void }) {
  const t = useTranslations("domain.campaigns.ui.form");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const segments = useQuery(trpc.campaigns.segments.queryOptions());
  const numbers = useQuery(trpc.campaigns.numbers.queryOptions());
  const [segmentId, setSegmentId] = useState("");
  const [newSegment, setNewSegment] = useState(false);
  const [error, setError] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const save = useMutation(
    trpc.campaigns.save.mutationOptions({
      onSuccess: async (saved) => {
        await queryClient.invalidateQueries({ queryKey: trpc.campaigns.list.queryKey() });
        onCreated(saved.id);
      },
      onError: (failure) => {
        const described = describeError(failure);
        setError({ message: described.message, fields: described.fieldErrors });
      },
    }),
  );

  return (
    <Card>
      <CardHeader title={t("heading")} description={t("description")} />
      <CardBody>
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            setError(null);
            const form = new FormData(event.currentTarget);
            const text = (name: string) => formText(form, name).trim();
            const startAt = text("startAt");
            const quietStart = text("quietStart");
            const quietEnd = text("quietEnd");
            save.mutate({
              id: null,
              campaign: {
                name: text("name"),
                segmentId,
                content: { kind: "text", body: text("body") },
                sessionIds: form.getAll("sessionIds").map(String),
                ratePerMinute: text("ratePerMinute"),
                startAt: startAt ? new Date(startAt) : null,
                quietHours: quietStart && quietEnd ? { start: quietStart, end: quietEnd } : null,
                includeColdContacts: form.get("includeColdContacts") === "on",
              },
            });
          }}
        >
          <Field label={t("name")} htmlFor={`${id}-name`} error={error?.fields.name}>
            <Input id={`${id}-name`} name="name" required maxLength={120} />
          </Field>
          <Field label={t("segment")} htmlFor={`${id}-segment`} error={error?.fields.segmentId}>
            <div className="flex flex-wrap gap-2">
              <Select
                id={`${id}-segment`}
                value={segmentId}
                onChange={(event) => setSegmentId(event.target.value)}
                className="max-w-sm"
              >
                <option value="">{t("chooseSegment")}</option>
                {(segments.data ?? []).map((segment) => (
                  <option key={segment.id} value={segment.id}>
                    {segment.name}
                  </option>
                ))}
              </Select>
              <Button variant="ghost" onClick={() => setNewSegment((open) => !open)} aria-expanded={newSegment}>
                {t("newSegment")}
              </Button>
            </div>
          </Field>
          {newSegment ? (
            <SegmentEditor
              onSaved={(saved) => {
                setSegmentId(saved);
                setNewSegment(false);
              }}
            />
          ) : null}
          <Field label={t("body")} htmlFor={`${id}-body`} hint={t("bodyHint")} error={error?.fields["content.body"]}>
            <textarea id={`${id}-body`} name="body" required maxLength={4096} className={TEXTAREA} />
          </Field>
          <fieldset className="flex flex-col gap-1.5">
            <legend className="text-sm font-medium">{t("numbers")}</legend>
            {(numbers.data ?? []).map((number) => (
              <label key={number.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="sessionIds"
                  value={number.id}
                  defaultChecked={numbers.data?.length === 1}
                />
                <span translate="no">{number.name}</span>
                <span className="text-muted-foreground">{number.phone ?? number.kind}</span>
              </label>
            ))}
            {error?.fields.sessionIds ? (
              <p role="alert" className="text-xs text-destructive">
                {error.fields.sessionIds}
              </p>
            ) : null}
          </fieldset>
          <div className="grid gap-4 md:grid-cols-2">
            <Field label={t("rate")} htmlFor={`${id}-rate`} hint={t("rateHint")} error={error?.fields.ratePerMinute}>
              <Input
                id={`${id}-rate`}
                name="ratePerMinute"
                type="number"
                inputMode="numeric"
                min={1}
                max={6000}
                defaultValue={20}
              />
            </Field>
            <Field label={t("startAt")} htmlFor={`${id}-start`} hint={t("startAtHint")}>
              <Input id={`${id}-start`} name="startAt" type="datetime-local" />
            </Field>
            <Field label={t("quietStart")} htmlFor={`${id}-quiet-start`} hint={t("quietHint")}>
              <Input id={`${id}-quiet-start`} name="quietStart" type="time" />
            </Field>
            <Field label={t("quietEnd")} htmlFor={`${id}-quiet-end`}>
              <Input id={`${id}-quiet-end`} name="quietEnd" type="time" />
            </Field>
          </div>
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="includeColdContacts" className="mt-1" />
            <span>{t("cold")}</span>
          </label>
          {error ? <Alert tone="error">{error.message}</Alert> : null}
          <div>
            <Button type="submit" disabled={save.isPending}>
              {t("create")}
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}

const COUNTS = ["queued", "sent", "delivered", "read", "replied", "failed", "skipped", "optedOut", "pending"] as const;

function CampaignDetail({ id, canWrite }: { id: string; canWrite: boolean }) {
  const t = useTranslations("domain.campaigns.ui.detail");
  const ts = useTranslations("domain.campaigns.ui.status");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery(
    trpc.campaigns.get.queryOptions(
      { id },
      {
        // While it sends, and until its last messages have left the queue.
        refetchInterval: (query) => {
          const status = query.state.data?.campaign.status;
          const waiting = (query.state.data?.progress.queued ?? 0) > 0;
          return status === "running" || status === "scheduled" || waiting ? POLL_MS : false;
        },
      },
    ),
  );
  const [error, setError] = useState<string | null>(null);
  const options = {
    onSuccess: async () => {
      setError(null);
      await queryClient.invalidateQueries({ queryKey: trpc.campaigns.pathKey() });
    },
    onError: (failure: unknown) => setError(describeError(failure).message),
  };
  const start = useMutation(trpc.campaigns.start.mutationOptions(options));
  const pause = useMutation(trpc.campaigns.pause.mutationOptions(options));
  const resume = useMutation(trpc.campaigns.resume.mutationOptions(options));
  const cancel = useMutation(trpc.campaigns.cancel.mutationOptions(options));
  if (detail.error) return <Alert tone="error">{describeError(detail.error).message}</Alert>;
  if (!detail.data) return null;
  const { campaign, progress } = detail.data;
  const total = Math.max(campaign.recipientCount, progress.recipients);
  const done = progress.recipients - progress.pending;
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
  const busy = start.isPending || pause.isPending || resume.isPending || cancel.isPending;

  return (
    <Card>
      <CardHeader
        title={campaign.name}
        description={
          campaign.status === "paused" && campaign.pausedReason
            ? t("pausedBecause", { reason: campaign.pausedReason })
            : undefined
        }
        actions={<Badge tone={STATUS_TONES[campaign.status]}>{ts(campaign.status)}</Badge>}
      />
      <CardBody className="flex flex-col gap-4">
        <div className="flex flex-col gap-1.5">
          <p className="text-sm" data-testid="campaign-progress-text">
            {t("progress", { done: format.number(done), total: format.number(total) })}
          </p>
          <div
            role="progressbar"
            aria-label={t("progressLabel")}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            className="h-2 w-full overflow-hidden rounded-full bg-muted"
          >
            <div className="h-full bg-primary transition-[width]" style={{ width: `${percent}%` }} />
          </div>
        </div>
        <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3" data-testid="campaign-counts">
          {COUNTS.map((key) => (
            <div key={key} className="flex justify-between gap-2">
              <dt className="text-muted-foreground">{t(`counts.${key}`)}</dt>
              <dd data-count={key}>{format.number(progress[key])}</dd>
            </div>
          ))}
        </dl>
        {error ? <Alert tone="error">{error}</Alert> : null}
        {canWrite ? (
          <div className="flex flex-wrap gap-2">
            {campaign.status === "draft" ? (
              <Button disabled={busy} onClick={() => start.mutate({ id })}>
                {t("start")}
              </Button>
            ) : null}
            {campaign.status === "running" || campaign.status === "scheduled" ? (
              <Button variant="secondary" disabled={busy} onClick={() => pause.mutate({ id })}>
                {t("pause")}
              </Button>
            ) : null}
            {campaign.status === "paused" ? (
              <Button disabled={busy} onClick={() => resume.mutate({ id })}>
                {t("resume")}
              </Button>
            ) : null}
            {campaign.status !== "done" && campaign.status !== "cancelled" && campaign.status !== "draft" ? (
              <Button variant="destructive" disabled={busy} onClick={() => cancel.mutate({ id })}>
                {t("cancel")}
              </Button>
            ) : null}
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
