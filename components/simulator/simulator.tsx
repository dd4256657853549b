"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type DragEvent, type FormEvent, useRef, useState } from "react";
import { useLiveEvents } from "~/components/live/use-live-events";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { cn } from "~/components/ui/cn";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { CONTACT_KINDS, type TContactKind } from "~/server/messages/content";
import { simulatedContent } from "~/server/messages/examples";
import { Ticks } from "./ticks";
import { MessageContent } from "~/components/inbox/message-content";
import { ChoiceTaps, ChoiceText } from "./choice-taps";
import { singleFile, uploadMedia, UploadFailedError, UploadRefusedError } from "~/components/media/upload";

/** Chat as any contact of the simulator session and watch the bot answer, live. */
export function Simulator({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("simulator");
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<{ waId: string; name?: string } | null>(null);
  const conversations = useQuery(trpc.simulator.conversations.queryOptions());
  const thread = useQuery({
    ...trpc.simulator.thread.queryOptions({ waId: selected?.waId ?? "" }),
    enabled: Boolean(selected),
  });

  useLiveEvents((event) => {
    if (!event.type.startsWith("message.") && !event.type.startsWith("thread.")) return;
    void queryClient.invalidateQueries({ queryKey: trpc.simulator.conversations.queryKey() });
    if (selected)
      void queryClient.invalidateQueries({ queryKey: trpc.simulator.thread.queryKey({ waId: selected.waId }) });
  });

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
      <div className="min-w-0 space-y-4">
        {canWrite ? <NewContactForm onStart={setSelected} /> : null}
        <Card>
          <CardHeader title={t("conversations")} />
          <ul className="max-h-[28rem] divide-y divide-border overflow-y-auto" aria-label={t("conversations")}>
            {conversations.data?.map((conversation) => (
              <li key={conversation.contactId}>
                <button
                  type="button"
                  onClick={() => setSelected({ waId: conversation.waId, name: conversation.name ?? undefined })}
                  className={cn(
                    "w-full px-4 py-3 text-left text-sm hover:bg-muted",
                    selected?.waId === conversation.waId && "bg-primary/10",
                  )}
                >
                  <div className="flex items-center justify-between gap-2">
                    <span className="min-w-0 font-medium [overflow-wrap:anywhere]">
                      {conversation.name ?? conversation.waId}
                    </span>
                    {conversation.mode !== "bot" ? (
                      <Badge tone="warning">{t(`mode.${conversation.mode}`)}</Badge>
                    ) : null}
                  </div>
                  {/* The last message's own words (content, not interface text), or the number. */}
                  <div className="truncate text-xs text-foreground/70" translate="no">
                    {conversation.lastBody ?? conversation.waId}
                  </div>
                </button>
              </li>
            ))}
            {conversations.data?.length === 0 ? (
              <li className="px-4 py-3 text-sm text-muted-foreground">{t("noConversations")}</li>
            ) : null}
          </ul>
        </Card>
      </div>
      <Card className="flex min-h-[32rem] min-w-0 flex-col">
        {selected ? (
          <>
            <CardHeader
              title={<span className="[overflow-wrap:anywhere]">{selected.name ?? selected.waId}</span>}
              description={t("writingAs", { waId: selected.waId })}
            />
            <CardBody className="flex-1 space-y-2 overflow-y-auto" aria-live="polite" data-testid="chat">
              {thread.data?.map((message) => (
                <div
                  key={message.id}
                  className={cn("flex", message.direction === "in" ? "justify-end" : "justify-start")}
                >
                  <div
                    data-testid={message.direction === "in" ? "from-contact" : "from-bot"}
                    className={cn(
                      "max-w-[85%] min-w-0 whitespace-pre-wrap break-words rounded-lg sm:max-w-[75%] px-3 py-2 text-sm",
                      message.direction === "in" ? "bg-primary/15" : "border border-border bg-card",
                    )}
                  >
                    {message.content.kind === "interactive" ? (
                      <ChoiceText content={message.content} />
                    ) : (
                      <MessageContent content={message.content} body={message.body} mediaLinks={message.mediaLinks} />
                    )}
                    {message.direction === "out" ? (
                      <ChoiceTaps
                        content={message.content}
                        contact={selected}
                        waMessageId={message.waMessageId}
                        disabled={!canWrite}
                      />
                    ) : null}
                    {message.direction === "out" ? <Ticks status={message.status} /> : null}
                    {message.error ? <div className="mt-1 text-xs text-destructive">{message.error}</div> : null}
                  </div>
                </div>
              ))}
              {thread.data?.length === 0 ? <p className="text-sm text-muted-foreground">{t("sayHello")}</p> : null}
            </CardBody>
            {canWrite ? (
              <Composer
                contact={selected}
                lastWaMessageId={thread.data?.findLast((message) => message.waMessageId)?.waMessageId ?? null}
              />
            ) : null}
          </>
        ) : (
          <CardBody className="text-sm text-muted-foreground">{t("pick")}</CardBody>
        )}
      </Card>
    </div>
  );
}

/** The Simulator's example number: a valid one (555-01xx is reserved for fiction), so it passes the same check as every number. */
const EXAMPLE_NUMBER = "+14155550123";

function NewContactForm({ onStart }: { onStart: (contact: { waId: string; name?: string }) => void }) {
  const trpc = useTRPC();
  const t = useTranslations("simulator.newContact");
  const [error, setError] = useState<string | null>(null);
  // The server reads the number, by the same rules as the contact form and the API.
  const check = useMutation(trpc.simulator.checkNumber.mutationOptions());
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const phone = formText(form, "phone").trim();
    if (!phone) {
      setError(t("enterPhone", { example: EXAMPLE_NUMBER }));
      return;
    }
    try {
      const { waId } = await check.mutateAsync({ phone });
      setError(null);
      onStart({ waId, name: formText(form, "name").trim() || undefined });
    } catch (caught) {
      const described = describeError(caught);
      setError(described.fieldErrors.phone ?? described.message);
    }
  }
  return (
    <Card>
      <CardHeader title={t("title")} />
      <CardBody>
        <form onSubmit={(event) => void onSubmit(event)} className="space-y-3" noValidate>
          <Field label={t("phone")} htmlFor="sim-phone" error={error ?? undefined}>
            <Input id="sim-phone" name="phone" placeholder={EXAMPLE_NUMBER} aria-invalid={Boolean(error)} />
          </Field>
          <Field label={t("name")} htmlFor="sim-name">
            <Input id="sim-name" name="name" placeholder={t("namePlaceholder")} />
          </Field>
          <Button type="submit" variant="secondary" className="w-full" disabled={check.isPending}>
            {t("start")}
          </Button>
        </form>
      </CardBody>
    </Card>
  );
}

/**
 * Where the Simulator's contact writes: a text, any kind of message as a stand-in, or a real
 * file (a photo, video or document picked or dropped; an audio file as a voice note). A file is
 * uploaded to the media store first and then arrives like WhatsApp's media: `pending`, fetched
 * by the worker through the simulator engine's download, so it takes the same path as a real one.
 */
function Composer({
  contact,
  lastWaMessageId,
}: {
  contact: { waId: string; name?: string };
  /** The conversation's last message: what a reaction reacts to. */
  lastWaMessageId: string | null;
}) {
  const trpc = useTRPC();
  const t = useTranslations("simulator.composer");
  const tMedia = useTranslations("media");
  const kinds = useTranslations("inbox.kind");
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<TContactKind>("text");
  const [uploading, setUploading] = useState<string | null>(null);
  const send = useMutation(trpc.simulator.send.mutationOptions());
  const form = useRef<HTMLFormElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const voiceInput = useRef<HTMLInputElement>(null);

  /** Uploads `file` and sends it as the contact: as a voice note, or as whatever kind its content is. */
  async function sendFile(files: FileList | null, asVoice: boolean) {
    const file = singleFile(files);
    if (!file) return;
    if (file === "many") {
      setError(tMedia("attach.oneFile"));
      return;
    }
    setError(null);
    setUploading(file.name || tMedia("attach.unnamed"));
    try {
      const uploaded = await uploadMedia(file, asVoice ? "voice" : "auto");
      const caption = form.current ? formText(new FormData(form.current), "body").trim() : "";
      await send.mutateAsync({
        phone: contact.waId,
        name: contact.name,
        content: {
          kind: uploaded.kind,
          media: {
            mimeType: uploaded.mimeType,
            storageKey: uploaded.sha256,
            size: uploaded.size,
            ...(file.name ? { fileName: file.name } : {}),
            state: "pending",
          },
          ...(caption && !asVoice ? { caption } : {}),
        },
      });
      form.current?.reset();
    } catch (caught) {
      if (caught instanceof UploadRefusedError) setError(caught.message || tMedia("attach.failed"));
      else if (caught instanceof UploadFailedError) setError(tMedia("attach.failed"));
      else setError(describeError(caught).message);
    } finally {
      setUploading(null);
    }
  }

  const onDragOver = (event: DragEvent<HTMLFormElement>) => {
    if (!Array.from(event.dataTransfer.types).includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  };
  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    if (!Array.from(event.dataTransfer.types).includes("Files")) return;
    event.preventDefault();
    void sendFile(event.dataTransfer.files, false);
  };
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const body = formText(new FormData(formElement), "body");
    if (kind === "text" && !body.trim()) return;
    setError(null);
    try {
      await send.mutateAsync(
        kind === "text"
          ? { phone: contact.waId, name: contact.name, body }
          : { phone: contact.waId, name: contact.name, content: simulatedContent(kind, body, lastWaMessageId) },
      );
      formElement.reset();
    } catch (caught) {
      setError(describeError(caught).message);
    }
  }
  return (
    <form
      ref={form}
      onSubmit={(event) => void onSubmit(event)}
      onDragOver={onDragOver}
      onDrop={onDrop}
      className="flex flex-wrap gap-2 border-t border-border p-3"
    >
      <Select
        aria-label={t("kind")}
        className="w-full sm:w-40 sm:shrink-0"
        value={kind}
        onChange={(event) => setKind(event.target.value as TContactKind)}
        title={t("kindTitle")}
      >
        {CONTACT_KINDS.map((option) => (
          <option key={option} value={option}>
            {kinds(option)}
          </option>
        ))}
      </Select>
      <Input
        name="body"
        aria-label={t("message")}
        className="min-w-0 flex-1"
        placeholder={t(`placeholder.${kind}`)}
        autoComplete="off"
        maxLength={4096}
      />
      <Button type="submit" disabled={send.isPending || uploading !== null}>
        {t("send")}
      </Button>
      <div className="flex basis-full flex-wrap items-center gap-2">
        <input
          ref={fileInput}
          type="file"
          accept="image/*,video/*,audio/*,application/pdf,text/plain,text/csv,.doc,.docx,.xls,.xlsx,.odt,.ods,.zip"
          className="hidden"
          tabIndex={-1}
          aria-hidden="true"
          data-testid="sim-file"
          onChange={(event) => {
            void sendFile(event.target.files, false);
            event.target.value = "";
          }}
        />
        <input
          ref={voiceInput}
          type="file"
          accept="audio/*"
          className="hidden"
          tabIndex={-1}
          aria-hidden="true"
          data-testid="sim-voice"
          onChange={(event) => {
            void sendFile(event.target.files, true);
            event.target.value = "";
          }}
        />
        <Button
          size="sm"
          variant="secondary"
          title={tMedia("simulator.attachLabel")}
          disabled={uploading !== null}
          onClick={() => fileInput.current?.click()}
        >
          <span aria-hidden="true">📎</span> {tMedia("simulator.attach")}
        </Button>
        <Button
          size="sm"
          variant="secondary"
          title={tMedia("simulator.voiceLabel")}
          disabled={uploading !== null}
          onClick={() => voiceInput.current?.click()}
        >
          <span aria-hidden="true">🎤</span> {tMedia("simulator.voice")}
        </Button>
        {uploading !== null ? (
          <span role="status" className="text-xs text-foreground/70">
            {tMedia("simulator.sending", { name: uploading })}
          </span>
        ) : null}
      </div>
      {error ? (
        <Alert tone="error" className="basis-full">
          {error}
        </Alert>
      ) : null}
    </form>
  );
}
