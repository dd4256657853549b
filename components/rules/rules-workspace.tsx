"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import type { TRule } from "~/server/rules/schema";
import { RuleEditor } from "./rule-editor";
import { TestPanel } from "./test-panel";
import { VersionsCard } from "./versions-card";

/** The Rules page: the draft ruleset (edit, reorder, enable), test, replay, publish, versions. */
export function RulesWorkspace({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.rules.list.queryOptions());
  const checks = useQuery(trpc.rules.checks.queryOptions());
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
  const failure = reorder.error ?? update.error ?? remove.error ?? publish.error ?? replay.error ?? importRules.error;
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
      window.alert("That file is not JSON; nothing was imported.");
      return;
    }
    if (window.confirm("Replace the draft with the rules in this file? The published version is not touched.")) {
      importRules.mutate({ document });
    }
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
          <CardHeader title={editing === "new" ? "New rule" : `Edit “${editing.name}”`} />
          <CardBody>
            <RuleEditor rule={editing === "new" ? null : editing} canWrite={canWrite} onDone={() => setEditing(null)} />
          </CardBody>
        </Card>
      ) : null}
      <Card>
        <CardHeader
          title="Draft rules"
          description="Run top to bottom; drag to reorder. The worker runs the published version, not the draft."
          actions={
            canWrite ? (
              <div className="flex gap-2">
                <Button size="sm" variant="ghost" onClick={() => void download()}>
                  Export
                </Button>
                <label className="inline-flex h-8 cursor-pointer items-center rounded-md px-3 text-sm hover:bg-muted">
                  Import
                  <input
                    type="file"
                    accept="application/json,.json"
                    className="sr-only"
                    onChange={(event) => void upload(event.target.files?.[0])}
                  />
                </label>
                <Button size="sm" onClick={() => setEditing("new")}>
                  New rule
                </Button>
              </div>
            ) : null
          }
        />
        <CardBody>
          {rules.isPending ? <p className="text-sm text-muted-foreground">Loading…</p> : null}
          {list.length === 0 && !rules.isPending ? (
            <p className="text-sm text-muted-foreground">
              No rules yet: every message gets the default reply from Settings.
            </p>
          ) : null}
          <ol className="flex flex-col gap-1" aria-label="Draft rules">
            {list.map((rule, index) => (
              <li
                key={rule.id}
                draggable={canWrite}
                onDragStart={() => setDragged(index)}
                onDragOver={(event) => event.preventDefault()}
                onDrop={() => drop(index)}
                className="flex items-center gap-3 rounded-md border border-border px-3 py-2 text-sm"
              >
                <span className="cursor-grab text-muted-foreground" aria-hidden>
                  ⠿
                </span>
                <span className="w-6 text-muted-foreground">{index + 1}</span>
                <span className="font-medium">{rule.name}</span>
                {rule.enabled ? null : <Badge>disabled</Badge>}
                {rule.stopOnMatch ? <Badge>stops</Badge> : null}
                {rule.schedule ? (
                  <Badge>{rule.schedule.hours === "any" ? "some days" : `${rule.schedule.hours} hours`}</Badge>
                ) : null}
                <span className="truncate text-muted-foreground">
                  {rule.actions.map((action) => action.type).join(" → ")}
                </span>
                <div className="ml-auto flex gap-1">
                  {canWrite ? (
                    <>
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => update.mutate({ id: rule.id, rule: { ...rule, enabled: !rule.enabled } })}
                      >
                        {rule.enabled ? "Disable" : "Enable"}
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={index === 0}
                        onClick={() => move(index, index - 1)}
                        aria-label={`Move ${rule.name} up`}
                      >
                        ↑
                      </Button>
                    </>
                  ) : null}
                  <Button size="sm" variant="secondary" onClick={() => setEditing(rule)}>
                    {canWrite ? "Edit" : "View"}
                  </Button>
                  {canWrite ? (
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => {
                        if (window.confirm(`Delete the rule “${rule.name}” from the draft?`))
                          remove.mutate({ id: rule.id });
                      }}
                    >
                      Delete
                    </Button>
                  ) : null}
                </div>
              </li>
            ))}
          </ol>
          {importRules.error ? (
            <ul className="mt-2 text-xs text-destructive" role="alert">
              {Object.entries(describeError(importRules.error).fieldErrors).map(([path, message]) => (
                <li key={path}>
                  {path}: {message}
                </li>
              ))}
            </ul>
          ) : null}
          {checks.data && checks.data.length > 0 ? (
            <Alert tone="warning">
              <p className="font-medium">Before you publish:</p>
              <ul className="list-disc pl-5">
                {checks.data.map((warning, index) => (
                  <li key={index}>{warning.message}</li>
                ))}
              </ul>
            </Alert>
          ) : null}
          {canWrite ? (
            <div className="mt-4 flex flex-wrap items-center gap-2 border-t border-border pt-4">
              <Input
                aria-label="Version note"
                className="max-w-sm"
                placeholder="What changed (optional)"
                value={note}
                onChange={(event) => setNote(event.target.value)}
              />
              <Button onClick={() => publish.mutate({ note })} disabled={publish.isPending}>
                {publish.isPending ? "Publishing…" : "Publish"}
              </Button>
              <Button variant="secondary" onClick={() => replay.mutate({ limit: 500 })} disabled={replay.isPending}>
                {replay.isPending ? "Replaying…" : "Replay last 500 messages"}
              </Button>
              {publish.data ? (
                <span className="text-sm text-muted-foreground">Published version {publish.data.version}.</span>
              ) : null}
            </div>
          ) : null}
          {replay.data ? (
            <div className="mt-3 text-sm" aria-label="Replay">
              <p className="text-muted-foreground">
                Checked {replay.data.checked} messages against published version{" "}
                {replay.data.publishedVersion ?? "(none)"}: {replay.data.changed.length} would change.
              </p>
              <ul className="mt-2 flex flex-col gap-1">
                {replay.data.changed.slice(0, 100).map((change) => (
                  <li key={change.messageId} className="rounded border border-border p-2">
                    <span className="font-medium">{change.contact.name ?? change.contact.waId}</span>: “{change.text}”
                    <div className="text-xs text-muted-foreground">
                      now: {change.published.rules.join(", ") || "default"} → draft:{" "}
                      {change.draft.rules.join(", ") || "default"}
                      {change.draft.replies.length > 0 ? ` — replies “${change.draft.replies.join(" / ")}”` : ""}
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
