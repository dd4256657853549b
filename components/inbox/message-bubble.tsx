import { useTranslations, useFormatter } from "next-intl";
import Link from "next/link";
import { Ticks } from "~/components/simulator/ticks";
import { cn } from "~/components/ui/cn";
import { type TInboxMessage, type TInboxNote, useInboxFormat } from "./inbox-labels";
import { MessageContent } from "./message-content";

/** What a bubble needs from the rest of the loaded conversation: messages by WhatsApp id, reactions on each. */
export type TBubbleContext = { byWaId: ReadonlyMap<string, TInboxMessage>; reactions: ReadonlyMap<string, string[]> };

/** Who wrote a message: the contact, a rule (which, which version), the AI, an agent, the phone or the API. */
function SourceLabel({ message }: { message: TInboxMessage }) {
  const t = useTranslations("inbox.bubble");
  const survey = useTranslations("domain.satisfaction");
  const format = useFormatter();
  switch (message.source) {
    case "contact":
      return <span>{t("contact")}</span>;
    case "rule": {
      // No rule: nothing matched and the default reply answered.
      if (!message.ruleId) return <span>{t("defaultReply")}</span>;
      const name = message.ruleName ? t("namedRule", { name: message.ruleName }) : t("rule");
      return (
        <Link href={`/rules?rule=${message.ruleId}`} className="underline underline-offset-2 hover:no-underline">
          {name}
          {message.ruleVersion ? ` ${t("version", { version: message.ruleVersion })}` : ""}
        </Link>
      );
    }
    case "ai":
      return (
        <span>
          {message.aiLatencyMs !== null
            ? t("aiLatency", {
                latency: format.number(message.aiLatencyMs / 1000, {
                  style: "unit",
                  unit: "second",
                  unitDisplay: "short",
                  minimumFractionDigits: 1,
                  maximumFractionDigits: 1,
                }),
              })
            : t("ai")}
        </span>
      );
    case "agent":
      return <span>{t("agent", { name: message.authorName ?? t("removedUser") })}</span>;
    case "phone":
      return <span title={t("phoneTitle")}>{t("phone")}</span>;
    case "api":
      return <span>{t("api")}</span>;
    case "system":
      // Switchboard's own: the satisfaction survey's messages, or a team's hand-off acknowledgement.
      return <span>{message.survey ? survey("surveyMessage") : t("system")}</span>;
    case "campaign":
      return <span>{message.campaignName ? t("campaignNamed", { name: message.campaignName }) : t("campaign")}</span>;
  }
}

/** One message: the contact's on the left, ours on the right, with who wrote it, when, and its ticks. */
export function MessageBubble({
  message,
  now,
  context,
}: {
  message: TInboxMessage;
  now: number;
  context?: TBubbleContext;
}) {
  const t = useTranslations("inbox.bubble");
  const inboxFormat = useInboxFormat();
  const inbound = message.direction === "in";
  const { content } = message;
  const quoted = content.quoted ? context?.byWaId.get(content.quoted.waMessageId) : undefined;
  const target = content.kind === "reaction" ? context?.byWaId.get(content.targetWaMessageId) : undefined;
  const reactions = message.waMessageId ? (context?.reactions.get(message.waMessageId) ?? []) : [];
  const byPerson = message.source === "agent" || message.source === "phone";
  return (
    <div
      className={cn("flex", inbound ? "justify-start" : "justify-end")}
      data-testid={`message-${message.direction}`}
      data-seq={message.seq}
      data-kind={content.kind}
    >
      <div
        className={cn(
          "max-w-[80%] min-w-0 rounded-lg border px-3 py-2 text-sm shadow-xs",
          inbound ? "rounded-bl-sm border-border bg-card" : "rounded-br-sm",
          !inbound && (byPerson ? "border-primary/25 bg-primary/10" : "border-border bg-muted"),
        )}
      >
        <MessageContent
          content={content}
          body={message.body}
          mediaLinks={message.mediaLinks}
          quotedText={quoted?.body ?? null}
          reactionTargetText={target?.body ?? null}
        />
        <div
          className={cn(
            "mt-1 flex flex-wrap items-center gap-x-1.5 text-xs text-foreground/70",
            inbound ? "justify-start" : "justify-end",
          )}
        >
          <SourceLabel message={message} />
          <span aria-hidden="true">·</span>
          <time dateTime={new Date(message.createdAt).toISOString()}>{inboxFormat.stamp(message.createdAt, now)}</time>
          {inbound ? null : <Ticks status={message.status} className="ml-0" />}
          {reactions.length > 0 ? (
            <span
              className="rounded-full border border-border bg-background px-1.5"
              data-testid="reactions"
              title={t("reactions")}
            >
              {reactions.join(" ")}
            </span>
          ) : null}
        </div>
        {inbound && message.noReplyReason ? (
          <p className="mt-1 text-xs text-foreground/70" data-testid="no-reply-reason">
            {t(`noReply.${message.noReplyReason}`)}
          </p>
        ) : null}
        {message.error ? (
          <p className="mt-1 text-xs break-words text-[color:color-mix(in_oklab,var(--destructive)_75%,var(--foreground))]">
            {message.error}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** A staff-only note, set apart from the conversation so nobody mistakes it for a message. */
export function NoteCard({ note, now }: { note: TInboxNote; now: number }) {
  const t = useTranslations("inbox.bubble");
  const inboxFormat = useInboxFormat();
  return (
    <div className="flex justify-center" data-testid="note">
      <div className="w-full max-w-[85%] rounded-md border border-dashed border-warning bg-warning/10 px-3 py-2 text-sm">
        <div className="mb-0.5 flex flex-wrap items-center gap-x-1.5 text-xs text-foreground/80">
          <span className="font-semibold text-foreground">{t("note")}</span>
          <span aria-hidden="true">·</span>
          <span>{note.authorName ?? "Switchboard"}</span>
          <span aria-hidden="true">·</span>
          <time dateTime={new Date(note.createdAt).toISOString()}>{inboxFormat.stamp(note.createdAt, now)}</time>
        </div>
        <div className="break-words whitespace-pre-wrap">{note.body}</div>
      </div>
    </div>
  );
}
