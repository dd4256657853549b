"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
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
import type { TPauseDetail } from "~/server/campaigns/health";
import { CampaignListUpload, CampaignPreview } from "./campaign-audience";
import { ContentFields, contentOf, EMPTY_CONTENT, type TContentDraft } from "./content-fields";
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
  const ta = useTranslations("domain.campaignResults.form");
  const [audience, setAudience] = useState<"segment" | "list">("segment");
  const [segmentId, setSegmentId] = useState("");
  const [newSegment, setNewSegment] = useState(false);
  const [content, setContent] = useState<TContentDraft>(EMPTY_CONTENT);
  const [checked, setChecked] = useState<string[] | null>(null);
  // One number: chosen already (as the form always did).
  const sessionIds = checked ?? (numbers.data?.length === 1 ? [numbers.data[0]!.id] : []);
  const firstNumber = (numbers.data ?? []).find((number) => number.id === sessionIds[0]) ?? null;
  const [rate, setRate] = useState(20);
  // The chosen numbers' paced rates together (null: one of them is not paced, so no limit).
  const chosen = (numbers.data ?? []).filter((number) => sessionIds.includes(number.id));
  const pacedMax =
    chosen.length > 0 && chosen.every((number) => number.pacedPerMinute !== null)
      ? chosen.reduce((sum, number) => sum + (number.pacedPerMinute ?? 0), 0)
      : null;
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
                audience,
                segmentId: audience === "segment" ? segmentId : null,
                content: contentOf(content),
                sessionIds,
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
          <fieldset className="flex flex-col gap-1.5">
            <legend className="text-sm font-medium">{ta("audience")}</legend>
            {(["segment", "list"] as const).map((choice) => (
              <label key={choice} className="flex items-center gap-2 text-sm">
                <input
                  type="radio"
                  name="audience"
                  value={choice}
                  checked={audience === choice}
                  onChange={() => setAudience(choice)}
                />
                {ta(choice === "segment" ? "audienceSegment" : "audienceList")}
              </label>
            ))}
          </fieldset>
          {audience === "segment" ? (
            <>
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
            </>
          ) : null}
          <fieldset className="flex flex-col gap-1.5">
            <legend className="text-sm font-medium">{t("numbers")}</legend>
            {(numbers.data ?? []).map((number) => (
              <label key={number.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="sessionIds"
                  value={number.id}
                  checked={sessionIds.includes(number.id)}
                  onChange={(event) =>
                    setChecked(
                      event.target.checked
                        ? [...sessionIds, number.id]
                        : sessionIds.filter((chosen) => chosen !== number.id),
                    )
                  }
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
          <ContentFields value={content} onChange={setContent} firstNumber={firstNumber} errors={error?.fields ?? {}} />
          <div className="grid gap-4 md:grid-cols-2">
            <Field
              label={t("rate")}
              htmlFor={`${id}-rate`}
              hint={pacedMax !== null && rate > pacedMax ? t("pacedLimit", { max: pacedMax }) : t("rateHint")}
              error={error?.fields.ratePerMinute}
            >
              <Input
                id={`${id}-rate`}
                name="ratePerMinute"
                type="number"
                inputMode="numeric"
                min={1}
                max={6000}
                defaultValue={20}
                onChange={(event) => setRate(Number(event.target.value))}
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

/** Why a campaign is paused or waits (server/campaigns/health.ts), in words; null: nothing to say. */
function useCampaignNote() {
  const t = useTranslations("domain.campaigns.ui.detail");
  const tHealth = useTranslations("domain.numberHealth");
  const format = useFormatter();
  return (campaign: {
    status: TCampaignStatus;
    pausedReason: string | null;
    pausedDetail: Record<string, unknown> | null;
    waitReason: string | null;
    waitUntil: Date | string | null;
  }): string | null => {
    if (campaign.status === "paused" && campaign.pausedReason === "health" && campaign.pausedDetail) {
      const detail = campaign.pausedDetail as TPauseDetail;
      return tHealth("pausedHealth", {
        number: detail.sessionName,
        score: detail.score,
        cause: detail.cause ? tHealth(`cause.${detail.cause}`) : "",
        threshold: detail.pauseBelow,
      });
    }
    if (campaign.status === "paused" && campaign.pausedReason)
      return t("pausedBecause", { reason: campaign.pausedReason });
    if (campaign.status === "running" && campaign.waitUntil) {
      const until = format.dateTime(new Date(campaign.waitUntil), { dateStyle: "medium", timeStyle: "short" });
      if (campaign.waitReason === "daily_cap") return tHealth("waitDailyCap", { until });
      if (campaign.waitReason === "quiet_hours") return tHealth("waitQuietHours", { until });
    }
    return null;
  };
}

function CampaignDetail({ id, canWrite }: { id: string; canWrite: boolean }) {
  const t = useTranslations("domain.campaigns.ui.detail");
  const ts = useTranslations("domain.campaigns.ui.status");
  const noteOf = useCampaignNote();
  const tr = useTranslations("domain.campaignResults.results");
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
  const busy = start.isPending || pause.isPending || resume.isPending || cancel.isPending;

  return (
    <Card>
      <CardHeader
        title={campaign.name}
        description={noteOf(campaign) ?? undefined}
        actions={<Badge tone={STATUS_TONES[campaign.status]}>{ts(campaign.status)}</Badge>}
      />
      <CardBody className="flex flex-col gap-4">
        <CampaignProgress recipientCount={campaign.recipientCount} progress={progress} />
        {canWrite && !campaign.segmentId && (campaign.status === "draft" || campaign.status === "scheduled") ? (
          <CampaignListUpload campaignId={id} sessionIds={campaign.sessionIds} />
        ) : null}
        {campaign.status === "draft" || campaign.status === "scheduled" ? <CampaignPreview campaignId={id} /> : null}
        <p>
          <Link
            href={`/campaigns/${id}`}
            className="text-sm font-medium text-primary underline-offset-4 hover:underline"
          >
            {tr("link")}
          </Link>
        </p>
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

type TProgress = Record<(typeof COUNTS)[number] | "recipients", number>;

/** A campaign's live progress: recipients done out of the total with a bar, and the counts of what became of the messages. */
export function CampaignProgress({ recipientCount, progress }: { recipientCount: number; progress: TProgress }) {
  const t = useTranslations("domain.campaigns.ui.detail");
  const format = useFormatter();
  const total = Math.max(recipientCount, progress.recipients);
  const done = progress.recipients - progress.pending;
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <>
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
    </>
  );
}
