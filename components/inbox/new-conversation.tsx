"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useId, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import { useModalDialog } from "~/components/ui/modal-dialog";

/**
 * "New conversation" in the Inbox: a number (and, with several, the WhatsApp number to write
 * from); the conversation opens taken over by the agent, and the first message is written in its
 * composer (which asks for a template where the 24-hour window is closed). Errors stay in the
 * dialog, beside the field they are about.
 */
export function NewConversation({ onStarted }: { onStarted: (threadId: string) => void }) {
  const t = useTranslations("domain.inboxWork.ui.start");
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="sm" variant="secondary" data-testid="new-conversation" onClick={() => setOpen(true)}>
        {t("button")}
      </Button>
      {open ? (
        <StartDialog
          onClose={() => setOpen(false)}
          onStarted={(threadId) => {
            setOpen(false);
            onStarted(threadId);
          }}
        />
      ) : null}
    </>
  );
}

function StartDialog({ onClose, onStarted }: { onClose: () => void; onStarted: (threadId: string) => void }) {
  const t = useTranslations("domain.inboxWork.ui.start");
  const common = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { ref: dialog, titleId, close } = useModalDialog();
  const numberId = useId();
  const senderId = useId();
  const [to, setTo] = useState("");
  const [sessionId, setSessionId] = useState("");
  const senders = useQuery(trpc.inbox.senders.queryOptions());
  const start = useMutation(
    trpc.inbox.start.mutationOptions({
      onSuccess: async (started) => {
        await queryClient.invalidateQueries({ queryKey: trpc.inbox.list.pathKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.inbox.counts.queryKey() });
        onStarted(started.threadId);
      },
    }),
  );
  const error = start.error ? describeError(start.error) : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate({ to, ...(sessionId ? { sessionId } : {}) });
  };
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      data-testid="new-conversation-dialog"
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-border bg-card p-0 text-foreground shadow-xl backdrop:bg-black/40"
    >
      <form className="space-y-3 p-4" onSubmit={submit} noValidate>
        <h2 id={titleId} className="font-semibold">
          {t("title")}
        </h2>
        <p className="text-sm text-muted-foreground">{t("explain")}</p>
        <Field label={t("number")} htmlFor={numberId} hint={t("numberHint")} error={error?.fieldErrors.to}>
          <Input
            id={numberId}
            type="tel"
            autoComplete="off"
            autoFocus
            maxLength={40}
            value={to}
            onChange={(event) => setTo(event.target.value)}
          />
        </Field>
        {(senders.data?.length ?? 0) > 1 ? (
          <Field label={t("from")} htmlFor={senderId} error={error?.fieldErrors.sessionId}>
            <Select id={senderId} value={sessionId} onChange={(event) => setSessionId(event.target.value)}>
              <option value="">{t("defaultSender", { name: senders.data![0]!.name })}</option>
              {senders.data!.slice(1).map((sender) => (
                <option key={sender.id} value={sender.id} translate="no">
                  {sender.phone ? `${sender.name} · ${sender.phone}` : sender.name}
                </option>
              ))}
            </Select>
          </Field>
        ) : null}
        {error && Object.keys(error.fieldErrors).length === 0 ? (
          <p role="alert" className="text-sm text-destructive">
            {error.message}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            {common("cancel")}
          </Button>
          <Button type="submit" disabled={start.isPending}>
            {start.isPending ? t("starting") : t("submit")}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
