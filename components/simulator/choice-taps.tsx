"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "~/components/trpc/client";
import type { TMessageContent } from "~/server/messages/content";

type TTap = { id: string; title: string; description?: string };

/**
 * What the contact can tap on a message the bot sent: a choice's buttons or list rows, a
 * template's quick-reply buttons (its payload as the id, else its text). Null for anything else.
 */
export function tapsOf(content: TMessageContent): { kind: "button_reply" | "list_reply"; taps: TTap[] } | null {
  if (content.kind === "interactive") {
    return {
      kind: content.style === "list" ? "list_reply" : "button_reply",
      taps: content.options.map((option) => ({
        id: option.id,
        title: option.title,
        ...(option.description ? { description: option.description } : {}),
      })),
    };
  }
  if (content.kind === "template") {
    const taps = (content.components ?? [])
      .filter((component) => component.type === "button" && component.subType === "quick_reply" && component.text)
      .map((component) => ({ id: component.params?.[0] || component.text!, title: component.text! }));
    return taps.length > 0 ? { kind: "button_reply", taps } : null;
  }
  return null;
}

/**
 * A choice's words as the contact reads them above its buttons or rows: header, body, footer.
 * The Simulator shows this instead of the dashboard's card, whose inert option labels would
 * repeat the tappable ones.
 */
export function ChoiceText({ content }: { content: Extract<TMessageContent, { kind: "interactive" }> }) {
  return (
    <div className="space-y-0.5" data-kind={content.kind} data-testid="message-content" translate="no">
      {content.header ? <div className="font-semibold [overflow-wrap:anywhere]">{content.header}</div> : null}
      <div className="whitespace-pre-wrap [overflow-wrap:anywhere]">{content.body}</div>
      {content.footer ? <div className="text-xs text-muted-foreground">{content.footer}</div> : null}
    </div>
  );
}

/**
 * The buttons (or list rows) under a bot message in the Simulator: tapping one sends, as the
 * contact, the `button_reply` / `list_reply` WhatsApp would deliver (that option's id and title),
 * through the Simulator's inbound path.
 */
export function ChoiceTaps({
  content,
  contact,
  waMessageId,
  disabled,
}: {
  content: TMessageContent;
  contact: { waId: string; name?: string };
  waMessageId: string | null;
  disabled?: boolean;
}) {
  const t = useTranslations("simulator.taps");
  const trpc = useTRPC();
  const send = useMutation(trpc.simulator.send.mutationOptions());
  const found = tapsOf(content);
  if (!found) return null;
  const isList = found.kind === "list_reply";
  return (
    <div
      role="group"
      aria-label={isList ? t("list") : t("buttons")}
      className={
        isList ? "mt-2 flex flex-col divide-y divide-border border-t border-border" : "mt-2 flex flex-wrap gap-1"
      }
    >
      {found.taps.map((tap) => (
        <button
          key={tap.id}
          type="button"
          disabled={disabled || send.isPending}
          title={t("tap", { title: tap.title })}
          className={
            isList
              ? "min-h-11 px-2 py-2 text-left text-sm hover:bg-muted disabled:opacity-60"
              : "min-h-11 min-w-0 flex-1 basis-full rounded-md border border-border px-3 py-2 text-center text-sm font-medium text-primary hover:bg-muted disabled:opacity-60 sm:basis-auto"
          }
          onClick={() =>
            send.mutate({
              phone: contact.waId,
              name: contact.name,
              content: {
                kind: found.kind,
                id: tap.id,
                title: tap.title,
                ...(waMessageId ? { quoted: { waMessageId } } : {}),
              },
            })
          }
        >
          <span className="block [overflow-wrap:anywhere]">{tap.title}</span>
          {tap.description ? <span className="block text-xs text-muted-foreground">{tap.description}</span> : null}
        </button>
      ))}
      {send.error ? (
        <p role="alert" className="text-xs text-destructive">
          {send.error.message}
        </p>
      ) : null}
    </div>
  );
}
