import { useFormatter, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { formatBytes } from "~/components/media/format-bytes";
import { MediaMessage } from "~/components/media/media-message";
import { cn } from "~/components/ui/cn";
import type { TMediaLinks } from "~/server/media/urls";
import { captionOf, mediaOf, type TContentKind, type TMediaRef, type TMessageContent } from "~/server/messages/content";

/**
 * A message's content as the dashboard shows it (the Inbox, a contact's history, the
 * Simulator): text as text; media by where its file stands (components/media: a photo inline,
 * players for audio and video, a document to download, or why it is not there), or, for media
 * the store never fetched, a stand-in with its caption ("📷 Photo — Our menu"); a location with
 * map links; contact cards with their numbers; a reaction, a button or list choice, a template
 * in words; and above a reply, the message it quotes.
 */

const ICONS: Record<TContentKind, string> = {
  text: "",
  image: "📷",
  video: "🎥",
  audio: "🎵",
  voice: "🎤",
  document: "📄",
  sticker: "🏷️",
  location: "📍",
  contacts: "👤",
  reaction: "",
  button_reply: "🔘",
  list_reply: "📋",
  interactive: "🔘",
  template: "🧾",
  unknown: "❔",
};

type TFormatter = ReturnType<typeof useFormatter>;

/** "0:42": a duration in seconds. */
function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** The file's details in one line: name, type, size, length. */
function mediaDetails(format: TFormatter, media: TMediaRef | undefined): string {
  if (!media) return "";
  return [
    media.fileName,
    media.mimeType,
    media.size !== undefined ? formatBytes(format, media.size) : undefined,
    media.durationS !== undefined ? formatDuration(media.durationS) : undefined,
    media.width && media.height ? `${media.width}×${media.height}` : undefined,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** A link to the place on OpenStreetMap (no key, no tracking script; opens in a new tab). */
export function mapLink(lat: number, lng: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`;
}

/** The place as a `geo:` URI (RFC 5870), which a phone opens in its own maps app. */
export function geoLink(lat: number, lng: number, label?: string): string {
  return `geo:${lat},${lng}?q=${lat},${lng}${label ? encodeURIComponent(`(${label})`) : ""}`;
}

function Line({ icon, children, testId }: { icon: string; children: ReactNode; testId?: string }) {
  return (
    <div className="break-words whitespace-pre-wrap [overflow-wrap:anywhere]" data-testid={testId}>
      {icon ? (
        <span aria-hidden="true" className="mr-1">
          {icon}
        </span>
      ) : null}
      {children}
    </div>
  );
}

/** The text of a message a reply quotes, or of a reaction's target, as one short line. */
export function shortText(text: string, max = 80): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The quoted message above a reply: its text when it is loaded, else that it is an earlier one. */
function Quote({ text }: { text: string | null }) {
  const t = useTranslations("inbox.content");
  return (
    <div
      className="mb-1 rounded-sm border-l-4 border-primary/50 bg-foreground/5 px-2 py-1 text-xs text-foreground/80"
      data-testid="quoted-message"
    >
      {text === null ? <em>{t("replyingToEarlier")}</em> : <>↩ {shortText(text)}</>}
    </div>
  );
}

export function MessageContent({
  content,
  body,
  mediaLinks = null,
  quotedText = null,
  reactionTargetText = null,
  className,
}: {
  content: TMessageContent;
  /** Signed links to a media message's file (server/media/links.ts), when it is stored. */
  mediaLinks?: TMediaLinks | null;
  /** The stored text stand-in, shown when a kind has nothing better. */
  body: string;
  /** The text of the message a reply quotes, when it is loaded. */
  quotedText?: string | null;
  /** For a reaction: the text of the message reacted to, when it is loaded. */
  reactionTargetText?: string | null;
  className?: string;
}) {
  return (
    <div className={cn("space-y-0.5", className)} data-kind={content.kind} data-testid="message-content">
      {content.quoted ? <Quote text={quotedText} /> : null}
      <ContentBody content={content} body={body} mediaLinks={mediaLinks} reactionTargetText={reactionTargetText} />
    </div>
  );
}

function ContentBody({
  content,
  body,
  mediaLinks,
  reactionTargetText,
}: {
  content: TMessageContent;
  body: string;
  mediaLinks: TMediaLinks | null;
  reactionTargetText: string | null;
}) {
  const t = useTranslations("inbox");
  const tMedia = useTranslations("media");
  const format = useFormatter();
  const icon = ICONS[content.kind];
  switch (content.kind) {
    case "text":
      return (
        <div className="break-words whitespace-pre-wrap [overflow-wrap:anywhere]">
          {/* The conversation's own words (whoever wrote them, whatever the language): not interface text. */}
          {content.text ? (
            <span translate="no">{content.text}</span>
          ) : (
            <em className="text-foreground/70">{t("content.empty")}</em>
          )}
        </div>
      );
    case "image":
    case "video":
    case "audio":
    case "voice":
    case "document":
    case "sticker": {
      const media = mediaOf(content);
      // A file the media store handles (pending, stored, failed, removed) is shown as what it is.
      if (media?.state) return <MediaMessage content={content} links={mediaLinks} />;
      const caption = captionOf(content);
      const name = content.kind === "document" && media?.fileName ? media.fileName : t(`kind.${content.kind}`);
      const details = mediaDetails(format, media);
      return (
        <>
          <Line icon={icon} testId="media-stand-in">
            <span className="font-medium">{name}</span>
            {caption ? <> — {caption}</> : null}
          </Line>
          {details ? <div className="text-xs break-all text-foreground/70">{details}</div> : null}
        </>
      );
    }
    case "location": {
      const place = [content.name, content.address].filter((part) => part?.trim()).join(", ");
      return (
        <Line icon={icon} testId="location">
          <span className="font-medium">{t("content.location")}</span> {place ? `${place} ` : ""}(
          <a
            href={mapLink(content.lat, content.lng)}
            target="_blank"
            rel="noopener noreferrer"
            className="underline underline-offset-2 hover:no-underline"
          >
            {content.lat}, {content.lng}
          </a>
          ){" "}
          <a
            href={geoLink(content.lat, content.lng, place || undefined)}
            className="text-xs underline underline-offset-2 hover:no-underline"
          >
            {tMedia("location.openInApp")}
          </a>
        </Line>
      );
    }
    case "contacts":
      return (
        <ul className="space-y-1" data-testid="contact-cards">
          {content.contacts.map((card, index) => (
            <li key={index} className="rounded-sm border border-border bg-background/60 px-2 py-1">
              <div className="font-medium">
                <span aria-hidden="true" className="mr-1">
                  {icon}
                </span>
                {card.name.trim() || t("content.noName")}
              </div>
              {card.phones.map((phone) => (
                <div key={phone} className="text-xs text-foreground/80">
                  {phone}
                </div>
              ))}
            </li>
          ))}
        </ul>
      );
    case "reaction":
      return (
        <div className="text-foreground/80 italic" data-testid="reaction">
          {content.emoji ? t("content.reacted", { emoji: content.emoji }) : t("content.unreacted")}
          {reactionTargetText !== null ? (
            <> {t("content.reactedTo", { text: shortText(reactionTargetText, 60) })}</>
          ) : null}
        </div>
      );
    case "button_reply":
    case "list_reply":
      return (
        <Line icon={icon}>
          <span className="text-foreground/70">{t("content.chose")}</span>{" "}
          <span className="font-medium">{content.title}</span>
          {content.kind === "list_reply" && content.description ? <> — {content.description}</> : null}
        </Line>
      );
    case "template": {
      const header = content.components?.find((component) => component.type === "header");
      const text = content.components?.find((component) => component.type === "body")?.text;
      const footer = content.components?.find((component) => component.type === "footer")?.text;
      const buttons = (content.components ?? []).filter((component) => component.type === "button");
      return (
        <div className="space-y-1" data-testid="template-card">
          <Line icon={icon}>
            <span className="font-medium">{t("content.template", { name: content.name })}</span>{" "}
            <span className="text-xs text-foreground/70">({content.language})</span>
          </Line>
          {header?.text ? <div className="font-semibold break-words">{header.text}</div> : null}
          {header?.media ? (
            <div className="text-xs text-foreground/70">
              {t("templateCard.headerFile", { name: header.media.fileName ?? header.media.mimeType })}
            </div>
          ) : null}
          {text ? <div className="break-words whitespace-pre-wrap">{text}</div> : null}
          {footer ? <div className="text-xs text-foreground/70">{footer}</div> : null}
          {buttons.length > 0 ? (
            <InertOptions label={t("templateCard.buttons")} titles={buttons.map((button) => button.text ?? "")} />
          ) : null}
        </div>
      );
    }
    case "interactive":
      return (
        <div className="space-y-1" data-testid="interactive-card">
          {content.header ? <div className="font-semibold break-words">{content.header}</div> : null}
          <div className="break-words whitespace-pre-wrap">{content.body}</div>
          {content.footer ? <div className="text-xs text-foreground/70">{content.footer}</div> : null}
          {content.style === "list" && content.button ? (
            <div className="text-xs text-foreground/70">{t("interactive.list", { button: content.button })}</div>
          ) : null}
          <InertOptions
            label={t("interactive.options")}
            titles={content.options.map((option) =>
              option.description ? `${option.title} — ${option.description}` : option.title,
            )}
            stacked={content.style === "list"}
          />
        </div>
      );
    case "unknown":
      return (
        <Line icon={icon}>
          <span className="text-foreground/70">{t("content.unsupported", { type: content.engineType })}</span>
          {content.text ? <div className="break-words whitespace-pre-wrap">{content.text}</div> : null}
          {!content.text && body && !body.startsWith("[") ? <div>{body}</div> : null}
        </Line>
      );
  }
}

/** Buttons or list rows as they were offered: labels, not controls (nothing here taps them). */
function InertOptions({ label, titles, stacked = false }: { label: string; titles: string[]; stacked?: boolean }) {
  return (
    <ul aria-label={label} className={cn("flex gap-1 pt-0.5", stacked ? "flex-col" : "flex-wrap")}>
      {titles.map((title, index) => (
        <li
          key={index}
          className="rounded-md border border-border bg-background/60 px-2 py-0.5 text-xs break-words text-foreground/90"
        >
          {title}
        </li>
      ))}
    </ul>
  );
}

/** The reactions on each message, by its WhatsApp id: the latest emoji of each side (empty = taken back). */
export function reactionsByTarget(
  messages: readonly { direction: string; content: TMessageContent }[],
): Map<string, string[]> {
  const latest = new Map<string, Map<string, string>>();
  for (const message of messages) {
    if (message.content.kind !== "reaction") continue;
    const bySide = latest.get(message.content.targetWaMessageId) ?? new Map<string, string>();
    bySide.set(message.direction, message.content.emoji);
    latest.set(message.content.targetWaMessageId, bySide);
  }
  return new Map([...latest].map(([target, bySide]) => [target, [...bySide.values()].filter((emoji) => emoji !== "")]));
}
