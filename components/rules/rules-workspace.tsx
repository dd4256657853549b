"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useSearchParams } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import type { AppRouter } from "~/server/api/root";
import type { TRule } from "~/server/rules/schema";
import { describeConditions } from "./condition-summary";
import { useRuleLabels, useSummaryWords } from "./labels";
import { RuleEditor } from "./rule-editor";
import { TestPanel } from "./test-panel";
import { VersionsCard } from "./versions-card";

/** The Rules page: the draft ruleset (edit, reorder, enable), test, replay, publish, versions. */
export function RulesWorkspace({ canWrite }: { canWrite: boolean }) {
  const t = useTranslations("rules.workspace");
  const ta = useTranslations("rules.actions.short");
  const tc = useTranslations("common");
  const ts = useTranslations("rules.summary");
  const summaryWords = useSummaryWords();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.rules.list.queryOptions());
  const checks = useQuery(trpc.rules.checks.queryOptions());
  const changes = useQuery(trpc.rules.draftChanges.queryOptions());
  const exported = useQuery({ ...trpc.rules.export.queryOptions(), enabled: false });
  const importRules = useMutation(trpc.rules.import.mutationOptions({ onSuccess: () => invalidate() }));
  const [editing, setEditing] = useState<TRule | "new" | null>(null);
  // `/rules?rule=<id>` (the inbox links a bot reply to the rule that wrote it) opens that rule once.
  const linkedRuleId = useSearchParams().get("rule");
  const [linkHandled, setLinkHandled] = useState(false);
  if (!linkHandled && linkedRuleId && rules.data) {
    setLinkHandled(true);
    const linked = rules.data.find((rule) => rule.id === linkedRuleId);
    if (linked) setEditing(linked);
  }
  const [dragged, setDragged] = useState<number | null>(null);
  const [note, setNote] = useState("");
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.rules.pathKey() });
  const reorder = useMutation(trpc.rules.reorder.mutationOptions({ onSuccess: invalidate }));
  const update = useMutation(trpc.rules.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.rules.delete.mutationOptions({ onSuccess: invalidate }));
  const publish = useMutation(trpc.rules.publish.mutationOptions({ onSuccess: () => (setNote(""), invalidate()) }));
  const replay = useMutation(trpc.rules.replay.mutationOptions());
  const failure = reorder.error ?? update.error ?? remove.error ?? importRules.error;
  // Shown beside the Publish and Replay buttons, where they failed.
  const publishFailure = publish.error ?? replay.error;
  const download = async () => {
    const { data } = await exported.refetch();
    if (!data) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
    link.download = "switchboard-rules.json";
    link.click();
    URL.revokeObjectURL(link.href);
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    let document: unknown;
    try {
      document = JSON.parse(await file.text());
    } catch {
      window.alert(t("notJson"));
      return;
    }
    if (window.confirm(t("confirmImport"))) {
      importRules.mutate({ document });
    }
  };

  const labels = useRuleLabels();
  const tw = useTranslations("rules.checks");
  const quote = (name: string) => ts("quote", { text: name });
  // The server's checks, worded here from their kind, rule names and fact.
  const warningText = (warning: NonNullable<typeof checks.data>[number]) => {
    const rule = quote(warning.rule);
    const other = quote(warning.other ?? "");
    if (warning.kind === "contradictory" && warning.fact)
      return tw("contradictory", { rule, fact: labels.fact(warning.fact) });
    if (warning.kind === "unreachable" && warning.other) return tw("unreachable", { rule, other });
    if (warning.kind === "duplicate" && warning.other) return tw("duplicate", { rule, other });
    return warning.message;
  };
  if (rules.error) return <Alert tone="error">{describeError(rules.error).message}</Alert>;
  const list = rules.data ?? [];

  const move = (from: number, to: number) => {
    if (from === to) return;
    const ids = list.map((rule) => rule.id);
    const [moved] = ids.splice(from, 1);
    ids.splice(to, 0, moved!);
    reorder.mutate({ ids });
  };
  const drop = (to: number) => {
    if (dragged !== null) move(dragged, to);
    setDragged(null);
  };

  return (
    <div className="flex flex-col gap-4">
      {failure ? <Alert tone="error">{describeError(failure).message}</Alert> : null}
      {editing ? (
        <Card>
          <CardHeader title={editing === "new" ? t("newRule") : t("editRule", { name: editing.name })} />
          <CardBody>
            <RuleEditor rule={editing === "new" ? null : editing} canWrite={canWrite} onDone={() => setEditing(null)} />
          </CardBody>
        </Card>
      ) : null}
      <Card>
        <CardHeader
          title={t("draftTitle")}
          description={t("draftDescription")}
          actions={
            canWrite ? (
              <div className="flex flex-wrap justify-end gap-2">
                <Button size="sm" variant="ghost" onClick={() => void download()}>
                  {t("export")}
                </Button>
                <label className="inline-flex h-8 cursor-pointer items-center rounded-md px-3 text-sm hover:bg-muted">
                  {t("import")}
                  <input
                    type="file"
                    accept="application/json,.json"
                    className="sr-only"
                    onChange={(event) => void upload(event.target.files?.[0])}
                  />
                </label>
                <Button size="sm" onClick={() => setEditing("new")}>
                  {t("newRule")}
                </Button>
              </div>
            ) : null
          }
        />
        <CardBody>
          {rules.isPending ? <p className="text-sm text-muted-foreground">{tc("loading")}</p> : null}
          {list.length === 0 && !rules.isPending ? <p className="text-sm text-muted-foreground">{t("empty")}</p> : null}
          <ol className="flex flex-col gap-1" aria-label={t("draftTitle")}>
            {list.map((rule, index) => (
              <li
                key={rule.id}
                draggable={canWrite}
                onDragStart={() => setDragged(index)}
                onDragOver={(event) => event.preventDefault()}
                onDrop={() => drop(index)}
                className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-border px-3 py-2 text-sm"
              >
                <span className="cursor-grab text-muted-foreground" aria-hidden>
                  ⠿
                </span>
                <span className="w-6 text-muted-foreground">{index + 1}</span>
                <span className="min-w-0 font-medium break-words" translate="no">
                  {rule.name}
                </span>
                {rule.enabled ? null : <Badge>{t("disabled")}</Badge>}
                {rule.stopOnMatch ? <Badge>{t("stops")}</Badge> : null}
                {rule.schedule ? <Badge>{t("schedule", { hours: rule.schedule.hours })}</Badge> : null}
                <span className="min-w-0 truncate text-muted-foreground">
                  {rule.actions.map((action) => ta(action.type)).join(" → ")}
                </span>
                <div className="ml-auto flex flex-wrap gap-1">
                  {canWrite ? (
                    <>
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => update.mutate({ id: rule.id, rule: { ...rule, enabled: !rule.enabled } })}
                      >
                        {rule.enabled ? t("disable") : t("enable")}
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={index === 0}
                        onClick={() => move(index, index - 1)}
                        aria-label={t("moveUp", { name: rule.name })}
                      >
                        ↑
                      </Button>
                    </>
                  ) : null}
                  <Button size="sm" variant="secondary" onClick={() => setEditing(rule)}>
                    {canWrite ? tc("edit") : t("view")}
                  </Button>
                  {canWrite ? (
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => {
                        if (window.confirm(t("confirmDelete", { name: rule.name }))) remove.mutate({ id: rule.id });
                      }}
                    >
                      {tc("delete")}
                    </Button>
                  ) : null}
                </div>
                <p className="min-w-0 basis-full text-xs break-words text-muted-foreground">
                  <span className="font-medium">{ts("label")}</span> {describeConditions(rule.conditions, summaryWords)}
                </p>
              </li>
            ))}
          </ol>
          {importRules.error ? (
            <ul className="mt-2 text-xs text-destructive" role="alert">
              {Object.entries(describeError(importRules.error).fieldErrors).map(([path, message]) => {
                // `rules.3.actions.0.text` → "Rule 4: …"; problems with the file as a whole show alone.
                const index = /^rules\.(\d+)/.exec(path)?.[1];
                return (
                  <li key={path}>
                    {index === undefined ? message : t("importProblem", { number: Number(index) + 1, message })}
                  </li>
                );
              })}
            </ul>
          ) : null}
          {checks.data && checks.data.length > 0 ? (
            <Alert tone="warning">
              <p className="font-medium">{t("beforePublish")}</p>
              <ul className="list-disc pl-5">
                {checks.data.map((warning, index) => (
                  <li key={index}>{warningText(warning)}</li>
                ))}
              </ul>
            </Alert>
          ) : null}
          {changes.data ? <DraftChanges changes={changes.data} /> : null}
          {canWrite ? (
            <div className="mt-4 flex flex-wrap items-center gap-2 border-t border-border pt-4">
              <Input
                aria-label={t("versionNote")}
                className="w-full sm:max-w-sm"
                placeholder={t("versionNotePlaceholder")}
                value={note}
                onChange={(event) => setNote(event.target.value)}
              />
              <Button onClick={() => publish.mutate({ note })} disabled={publish.isPending}>
                {publish.isPending ? t("publishing") : t("publish")}
              </Button>
              <Button variant="secondary" onClick={() => replay.mutate({ limit: 500 })} disabled={replay.isPending}>
                {replay.isPending ? t("replaying") : t("replay")}
              </Button>
              {publishFailure ? (
                <Alert tone="error" className="basis-full">
                  {describeError(publishFailure).message}
                </Alert>
              ) : null}
              {publish.data ? (
                <span className="text-sm text-muted-foreground">
                  {t("published", { version: publish.data.version })}
                </span>
              ) : null}
            </div>
          ) : null}
          {replay.data ? (
            <div className="mt-3 text-sm" aria-label={t("replayLabel")}>
              <p className="text-muted-foreground">
                {replay.data.publishedVersion === null
                  ? t("replaySummaryUnpublished", {
                      checked: replay.data.checked,
                      changed: replay.data.changed.length,
                    })
                  : t("replaySummary", {
                      checked: replay.data.checked,
                      version: replay.data.publishedVersion,
                      changed: replay.data.changed.length,
                    })}
              </p>
              <ul className="mt-2 flex flex-col gap-1">
                {replay.data.changed.slice(0, 100).map((change) => (
                  <li key={change.messageId} className="rounded border border-border p-2 break-words">
                    <span className="font-medium">{change.contact.name ?? change.contact.waId}</span>: “{change.text}”
                    <div className="text-xs text-muted-foreground">
                      {t("replayChange", {
                        published: change.published.rules.join(", ") || t("defaultReply"),
                        draft: change.draft.rules.join(", ") || t("defaultReply"),
                      })}
                      {change.draft.replies.length > 0
                        ? ` — ${t("replayReplies", { replies: change.draft.replies.join(" / ") })}`
                        : ""}
                    </div>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </CardBody>
      </Card>
      <TestPanel />
      <VersionsCard canWrite={canWrite} />
    </div>
  );
}

type TDraftChanges = inferRouterOutputs<AppRouter>["rules"]["draftChanges"];

/** What publishing now would change (rules added, removed, edited, by name), or that nothing would. */
function DraftChanges({ changes }: { changes: TDraftChanges }) {
  const t = useTranslations("rules.changes");
  const tv = useTranslations("rules.versions");
  const tf = useTranslations("rules.ruleFields");
  const ts = useTranslations("rules.summary");
  const format = useFormatter();
  const quote = (name: string) => ts("quote", { text: name });
  const names = (list: { name: string }[]) => format.list(list.map((rule) => quote(rule.name)));
  if (!changes.hasChanges)
    return changes.publishedVersion === null ? null : (
      <p className="mt-4 text-sm text-muted-foreground" data-testid="draft-changes">
        {t("upToDate", { version: changes.publishedVersion })}
      </p>
    );
  return (
    <Alert tone="info" className="mt-4 break-words">
      <section aria-label={t("label")} data-testid="draft-changes">
        <p className="font-medium">
          {changes.publishedVersion === null ? t("unpublished") : t("differs", { version: changes.publishedVersion })}
        </p>
        <ul className="list-disc pl-5">
          {changes.added.length > 0 ? <li>{t("added", { names: names(changes.added) })}</li> : null}
          {changes.removed.length > 0 ? <li>{t("removed", { names: names(changes.removed) })}</li> : null}
          {changes.edited.length > 0 ? (
            <li>
              {t("edited", {
                names: format.list(
                  changes.edited.map((rule) =>
                    tv("editedRule", {
                      name: quote(rule.name),
                      fields: format.list(rule.fields.map((field) => tf(field))),
                    }),
                  ),
                ),
              })}
            </li>
          ) : null}
        </ul>
      </section>
    </Alert>
  );
}
