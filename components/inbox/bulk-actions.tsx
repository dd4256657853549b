"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";

type TBulkResult = { done: string[]; failed: { threadId: string; code: string; message: string }[] };

/**
 * What to do with the conversations ticked in the list: assign them to someone, add a label, or
 * close them (after a confirmation). Each is done under the rules for one conversation; those
 * refused are counted with the first reason.
 */
export function BulkActions({
  selected,
  onDone,
  onClear,
}: {
  selected: readonly string[];
  onDone: () => void;
  onClear: () => void;
}) {
  const trpc = useTRPC();
  const t = useTranslations("domain.inboxWork.ui.bulk");
  const tClose = useTranslations("domain.inboxWork.ui.close");
  const agents = useQuery(trpc.inbox.agents.queryOptions());
  const [outcome, setOutcome] = useState<{ tone: "success" | "warning" | "error"; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const report = (result: TBulkResult) => {
    const done = t("done", { done: result.done.length });
    setOutcome(
      result.failed.length === 0
        ? { tone: "success", text: done }
        : {
            tone: "warning",
            text: `${done}. ${t("failed", { failed: result.failed.length, reason: result.failed[0]!.message })}`,
          },
    );
    onDone();
  };
  const options = {
    onSuccess: report,
    onError: (caught: unknown) => setOutcome({ tone: "error", text: describeError(caught).message }),
  };
  const assign = useMutation(trpc.inbox.bulkAssign.mutationOptions(options));
  const label = useMutation(trpc.inbox.bulkLabel.mutationOptions(options));
  const close = useMutation(trpc.inbox.bulkClose.mutationOptions(options));
  const busy = assign.isPending || label.isPending || close.isPending;
  const threadIds = [...selected];

  const submitAssign = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const userId = formText(new FormData(event.currentTarget), "userId");
    if (userId) assign.mutate({ threadIds, userId });
  };
  const submitLabel = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const text = formText(new FormData(form), "label").trim();
    if (!text) return;
    label.mutate({ threadIds, labels: [text] });
    form.reset();
  };

  return (
    <div
      className="space-y-2 border-b border-border bg-muted/40 p-3 text-xs"
      role="group"
      aria-label={t("selected", { count: selected.length })}
      data-testid="bulk-actions"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-medium" aria-live="polite">
          {t("selected", { count: selected.length })}
        </span>
        <Button size="sm" variant="ghost" onClick={onClear}>
          {t("clear")}
        </Button>
      </div>
      {selected.length > 0 ? (
        <div className="flex flex-wrap items-center gap-2">
          <form className="flex items-center gap-1" onSubmit={submitAssign}>
            <Select name="userId" aria-label={t("assignTo")} className="h-8 w-32" defaultValue="">
              <option value="" disabled>
                {t("assignTo")}
              </option>
              {agents.data?.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name}
                </option>
              ))}
            </Select>
            <Button type="submit" size="sm" variant="secondary" disabled={busy}>
              {t("assign")}
            </Button>
          </form>
          <form className="flex items-center gap-1" onSubmit={submitLabel}>
            <Input name="label" aria-label={t("labelInput")} className="h-8 w-28" maxLength={40} />
            <Button type="submit" size="sm" variant="secondary" disabled={busy}>
              {t("label")}
            </Button>
          </form>
          <Button size="sm" variant="secondary" disabled={busy} onClick={() => setConfirming(true)}>
            {t("close")}
          </Button>
        </div>
      ) : null}
      {outcome ? <Alert tone={outcome.tone}>{outcome.text}</Alert> : null}
      {confirming ? (
        <ConfirmDialog
          title={tClose("bulkTitle", { count: selected.length })}
          confirmLabel={tClose("confirm")}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            close.mutate({ threadIds });
          }}
        >
          {tClose("bulkBody")}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
