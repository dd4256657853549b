"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { type FormEvent, useId, useState } from "react";
import { formatHours, parseHours } from "~/components/settings/settings-form";
import { useLiveInvalidation } from "~/components/live/use-live-invalidation";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { ASSIGNMENT_MODES } from "~/db/schema/teams";
import type { AppRouter } from "~/server/api/root";
import { WEEKDAYS } from "~/server/settings/schema";
import { AvailabilityDot } from "./availability";

type TTeam = inferRouterOutputs<AppRouter>["teams"]["list"][number];
type TNotice = { tone: "success" | "error"; text: string } | null;

/** The Teams page: every team with its members (and their availability) and what waits in its queue; admins change them. */
export function TeamsPanel({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("domain.teamsUi");
  const queryClient = useQueryClient();
  const teams = useQuery(trpc.teams.list.queryOptions());
  // Hand-offs, assignments and closes change what waits in each queue.
  useLiveInvalidation((event) => (event.type.startsWith("thread.") ? [trpc.teams.list.queryKey()] : []));
  const [notice, setNotice] = useState<TNotice>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });

  return (
    <div className="space-y-6">
      {notice ? (
        <div data-testid="teams-notice">
          <Alert tone={notice.tone} className="break-words">
            {notice.text}
          </Alert>
        </div>
      ) : null}
      {canWrite ? (
        <CreateTeamForm
          onCreated={(name) => {
            setNotice({ tone: "success", text: t("create.created", { name }) });
            void invalidate();
          }}
        />
      ) : (
        <p className="text-sm text-muted-foreground">{t("page.readOnly")}</p>
      )}
      {teams.error ? <Alert tone="error">{describeError(teams.error).message}</Alert> : null}
      {teams.isPending ? <p className="text-sm text-muted-foreground">{t("list.loading")}</p> : null}
      {teams.data?.length === 0 ? <p className="text-sm text-muted-foreground">{t("list.empty")}</p> : null}
      {teams.data?.map((team) => (
        <TeamCard key={team.id} team={team} canWrite={canWrite} onNotice={setNotice} onChanged={invalidate} />
      ))}
    </div>
  );
}

function CreateTeamForm({ onCreated }: { onCreated: (name: string) => void }) {
  const trpc = useTRPC();
  const t = useTranslations("domain.teamsUi");
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.teams.create.mutationOptions());
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = formText(new FormData(form), "name");
    create.mutate(
      { name },
      {
        onSuccess: (team) => {
          setError(null);
          form.reset();
          onCreated(team?.name ?? name);
        },
        onError: (caught) => {
          const described = describeError(caught);
          setError(described.fieldErrors.name ?? described.message);
        },
      },
    );
  };
  return (
    <Card>
      <CardHeader title={t("create.title")} />
      <CardBody>
        <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
          <Field label={t("create.name")} htmlFor={id} error={error ?? undefined} className="min-w-0 flex-1 basis-60">
            <Input
              id={id}
              name="name"
              maxLength={80}
              required
              autoComplete="off"
              aria-invalid={error ? true : undefined}
            />
          </Field>
          <Button type="submit" disabled={create.isPending}>
            {t("create.submit")}
          </Button>
        </form>
      </CardBody>
    </Card>
  );
}

function TeamCard({
  team,
  canWrite,
  onNotice,
  onChanged,
}: {
  team: TTeam;
  canWrite: boolean;
  onNotice: (notice: TNotice) => void;
  onChanged: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const t = useTranslations("domain.teamsUi");
  const onError = (error: unknown) => onNotice({ tone: "error", text: describeError(error).message });
  const remove = useMutation(trpc.teams.delete.mutationOptions({ onError }));
  const removeMember = useMutation(trpc.teams.removeMember.mutationOptions({ onSuccess: onChanged, onError }));
  const headingId = useId();
  return (
    <Card data-testid="team-card" data-team={team.name} aria-labelledby={headingId} role="region">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2 border-b border-border p-4">
        <div className="min-w-0">
          <h2 id={headingId} className="font-semibold [overflow-wrap:anywhere]" translate="no">
            {team.name}
          </h2>
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
            <Badge tone={team.waiting > 0 ? "warning" : "neutral"} data-testid="team-waiting">
              {t("team.waiting", { count: team.waiting })}
            </Badge>
            <span>{t(`settings.modes.${team.assignmentMode}`)}</span>
            <span>{t("team.cap", { count: team.maxOpenPerAgent })}</span>
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link
            href={`/inbox?filter=needs_human&queue=${team.id}`}
            className="inline-flex h-8 items-center rounded-md border border-border px-3 text-sm hover:bg-muted"
          >
            {t("team.openQueue")}
          </Link>
          {canWrite ? (
            <Button
              size="sm"
              variant="ghost"
              disabled={remove.isPending}
              onClick={() => {
                if (!window.confirm(t("team.confirmDelete", { name: team.name }))) return;
                remove.mutate(
                  { id: team.id },
                  {
                    onSuccess: () => {
                      onNotice({ tone: "success", text: t("team.deleted", { name: team.name }) });
                      void onChanged();
                    },
                  },
                );
              }}
            >
              {t("team.delete")}
            </Button>
          ) : null}
        </div>
      </div>
      <CardBody className="space-y-6">
        <section aria-label={t("team.members")}>
          <h3 className="mb-2 text-sm font-medium">{t("team.members")}</h3>
          {team.members.length === 0 ? <p className="text-sm text-muted-foreground">{t("team.noMembers")}</p> : null}
          <ul className="divide-y divide-border" data-testid="team-members">
            {team.members.map((member) => (
              <li key={member.userId} className="flex items-center justify-between gap-3 py-1.5 text-sm">
                <span className="flex min-w-0 items-center gap-2" data-testid="team-member" data-name={member.name}>
                  <AvailabilityDot userId={member.userId} availability={member.availability} />
                  <span className="[overflow-wrap:anywhere]" translate="no">
                    {member.name}
                  </span>
                </span>
                {canWrite ? (
                  <Button
                    size="sm"
                    variant="ghost"
                    aria-label={t("team.removeLabel", { name: member.name, team: team.name })}
                    disabled={removeMember.isPending}
                    onClick={() => removeMember.mutate({ teamId: team.id, userId: member.userId })}
                  >
                    {t("team.remove")}
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
          {canWrite ? <AddMemberForm team={team} onChanged={onChanged} onError={onError} /> : null}
        </section>
        {canWrite ? (
          <TeamSettingsForm
            team={team}
            onSaved={() => {
              onNotice({ tone: "success", text: t("team.saved", { name: team.name }) });
              void onChanged();
            }}
          />
        ) : null}
      </CardBody>
    </Card>
  );
}

function AddMemberForm({
  team,
  onChanged,
  onError,
}: {
  team: TTeam;
  onChanged: () => Promise<unknown>;
  onError: (error: unknown) => void;
}) {
  const trpc = useTRPC();
  const t = useTranslations("domain.teamsUi");
  const agents = useQuery(trpc.inbox.agents.queryOptions());
  const [userId, setUserId] = useState("");
  const add = useMutation(
    trpc.teams.addMember.mutationOptions({
      onSuccess: () => {
        setUserId("");
        void onChanged();
      },
      onError,
    }),
  );
  const members = new Set(team.members.map((member) => member.userId));
  const candidates = agents.data?.filter((agent) => !members.has(agent.id)) ?? [];
  if (candidates.length === 0) return null;
  return (
    <form
      className="mt-3 flex flex-wrap items-center gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        if (userId) add.mutate({ teamId: team.id, userId });
      }}
    >
      <Select
        aria-label={t("team.addMember", { team: team.name })}
        className="w-56 max-w-full"
        value={userId}
        onChange={(event) => setUserId(event.target.value)}
      >
        <option value="">{t("team.choose")}</option>
        {candidates.map((agent) => (
          <option key={agent.id} value={agent.id} translate="no">
            {agent.name}
          </option>
        ))}
      </Select>
      <Button type="submit" size="sm" variant="secondary" disabled={!userId || add.isPending}>
        {t("team.add")}
      </Button>
    </form>
  );
}

/** A field error's place in the form: `businessHours.mon.0.end` is Monday's box. */
function fieldOf(path: string): string {
  const hours = /^businessHours\.(\w+)/.exec(path);
  return hours ? `hours-${hours[1]}` : path;
}

/** Numbers typed in a box: empty is null (no target); anything else is sent as typed for the server to check. */
function minutesOrNull(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

function TeamSettingsForm({ team, onSaved }: { team: TTeam; onSaved: () => void }) {
  const trpc = useTRPC();
  const t = useTranslations("domain.teamsUi");
  const days = useTranslations("settings.hours.day");
  const id = useId();
  const [ownHours, setOwnHours] = useState(team.businessHours !== null);
  const [acknowledge, setAcknowledge] = useState(team.acknowledge);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState<string | null>(null);
  const update = useMutation(trpc.teams.update.mutationOptions());
  const settings = useQuery({ ...trpc.settings.get.queryOptions(), enabled: ownHours && team.businessHours === null });
  const startHours = team.businessHours ?? settings.data?.businessHours ?? null;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => formText(form, name);
    update.mutate(
      {
        id: team.id,
        name: text("name"),
        assignmentMode: text("assignmentMode") as (typeof ASSIGNMENT_MODES)[number],
        maxOpenPerAgent: Number(text("maxOpenPerAgent")),
        businessHours: ownHours
          ? (Object.fromEntries(WEEKDAYS.map((day) => [day, parseHours(text(`hours-${day}`))])) as Record<
              (typeof WEEKDAYS)[number],
              { start: string; end: string }[]
            >)
          : null,
        acknowledge,
        ackMessage: text("ackMessage"),
        closedMessage: text("closedMessage"),
        slaFirstResponseMinutes: minutesOrNull(text("slaFirstResponseMinutes")),
        slaResolutionMinutes: minutesOrNull(text("slaResolutionMinutes")),
        surveyEnabled: form.get("surveyEnabled") === "on",
      },
      {
        onSuccess: () => {
          setErrors({});
          setSummary(null);
          onSaved();
        },
        onError: (caught) => {
          const described = describeError(caught);
          const placed = Object.fromEntries(
            Object.entries(described.fieldErrors).map(([path, message]) => [fieldOf(path), message]),
          );
          setErrors(placed);
          const count = Object.keys(placed).length;
          setSummary(count > 0 ? t("settings.notSaved", { count }) : described.message);
        },
      },
    );
  };
  const field = (name: string) => `${id}-${name}`;
  const invalid = (name: string) => (errors[name] ? true : undefined);

  return (
    <form onSubmit={submit} aria-label={t("team.settingsOf", { team: team.name })} className="space-y-5">
      {summary ? <Alert tone="error">{summary}</Alert> : null}
      <div className="grid gap-4 md:grid-cols-3">
        <Field label={t("settings.name")} htmlFor={field("name")} error={errors.name}>
          <Input
            id={field("name")}
            name="name"
            defaultValue={team.name}
            maxLength={80}
            translate="no"
            aria-invalid={invalid("name")}
          />
        </Field>
        <Field
          label={t("settings.mode")}
          htmlFor={field("assignmentMode")}
          hint={t("settings.modeHint")}
          error={errors.assignmentMode}
        >
          <Select id={field("assignmentMode")} name="assignmentMode" defaultValue={team.assignmentMode}>
            {ASSIGNMENT_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {t(`settings.modes.${mode}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label={t("settings.cap")}
          htmlFor={field("maxOpenPerAgent")}
          hint={t("settings.capHint")}
          error={errors.maxOpenPerAgent}
        >
          <Input
            id={field("maxOpenPerAgent")}
            name="maxOpenPerAgent"
            type="number"
            inputMode="numeric"
            min={1}
            max={1000}
            step={1}
            defaultValue={team.maxOpenPerAgent}
            aria-invalid={invalid("maxOpenPerAgent")}
          />
        </Field>
      </div>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium">{t("hours.title")}</legend>
        <div className="flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-2">
            <input type="radio" checked={!ownHours} onChange={() => setOwnHours(false)} />
            {t("hours.useOrg")}
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" checked={ownHours} onChange={() => setOwnHours(true)} />
            {t("hours.own")}
          </label>
        </div>
        {ownHours ? (
          <>
            <p className="text-xs text-muted-foreground">{t("hours.hint")}</p>
            <div className="grid gap-3 md:grid-cols-2">
              {WEEKDAYS.map((day) => (
                <Field key={day} label={days(day)} htmlFor={field(`hours-${day}`)} error={errors[`hours-${day}`]}>
                  <Input
                    id={field(`hours-${day}`)}
                    name={`hours-${day}`}
                    key={startHours ? "loaded" : "empty"}
                    defaultValue={startHours ? formatHours(startHours[day] ?? []) : ""}
                    aria-invalid={invalid(`hours-${day}`)}
                  />
                </Field>
              ))}
            </div>
          </>
        ) : null}
      </fieldset>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium">{t("reception.title")}</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={acknowledge} onChange={(event) => setAcknowledge(event.target.checked)} />
          {t("reception.acknowledge")}
        </label>
        <div className="grid gap-4 md:grid-cols-2">
          <Field
            label={t("reception.ackMessage")}
            htmlFor={field("ackMessage")}
            hint={t("reception.ackHint", { placeholder: "{{wait}}" })}
            error={errors.ackMessage}
          >
            <textarea
              id={field("ackMessage")}
              name="ackMessage"
              rows={3}
              maxLength={1000}
              defaultValue={team.ackMessage ?? ""}
              aria-invalid={invalid("ackMessage")}
              className="rounded-md border border-border bg-background px-3 py-2 text-sm disabled:opacity-60"
            />
          </Field>
          <Field
            label={t("reception.closedMessage")}
            htmlFor={field("closedMessage")}
            hint={t("reception.closedHint", { placeholder: "{{opens}}" })}
            error={errors.closedMessage}
          >
            <textarea
              id={field("closedMessage")}
              name="closedMessage"
              rows={3}
              maxLength={1000}
              defaultValue={team.closedMessage ?? ""}
              aria-invalid={invalid("closedMessage")}
              className="rounded-md border border-border bg-background px-3 py-2 text-sm disabled:opacity-60"
            />
          </Field>
        </div>
      </fieldset>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium">{t("sla.title")}</legend>
        <div className="grid gap-4 md:grid-cols-2">
          <Field
            label={t("sla.firstResponse")}
            htmlFor={field("slaFirstResponseMinutes")}
            hint={t("sla.hint")}
            error={errors.slaFirstResponseMinutes}
          >
            <Input
              id={field("slaFirstResponseMinutes")}
              name="slaFirstResponseMinutes"
              type="number"
              inputMode="numeric"
              min={1}
              max={100_000}
              step={1}
              defaultValue={team.slaFirstResponseMinutes ?? ""}
              aria-invalid={invalid("slaFirstResponseMinutes")}
            />
          </Field>
          <Field
            label={t("sla.resolution")}
            htmlFor={field("slaResolutionMinutes")}
            hint={t("sla.hint")}
            error={errors.slaResolutionMinutes}
          >
            <Input
              id={field("slaResolutionMinutes")}
              name="slaResolutionMinutes"
              type="number"
              inputMode="numeric"
              min={1}
              max={100_000}
              step={1}
              defaultValue={team.slaResolutionMinutes ?? ""}
              aria-invalid={invalid("slaResolutionMinutes")}
            />
          </Field>
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="surveyEnabled" defaultChecked={team.surveyEnabled} />
          {t("sla.survey")}
        </label>
      </fieldset>

      <Button type="submit" disabled={update.isPending}>
        {update.isPending ? t("settings.saving") : t("settings.save")}
      </Button>
    </form>
  );
}
