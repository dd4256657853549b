"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useId, useState } from "react";
import { formatBytes } from "./format-bytes";
import { WHATSAPP_MEDIA_LIMITS } from "~/server/media/limits";
import type { TMediaLinks } from "~/server/media/urls";
import type { TContentOf, TMediaKind, TMediaRef } from "~/server/messages/content";
import { ImageViewer } from "./image-viewer";
import { useLinkRefresh } from "./use-link-refresh";

/** The largest side an inline photo is shown at (CSS pixels); stickers are smaller. */
const IMAGE_BOX = 240;
const STICKER_BOX = 128;

/** A width and height that fit `box`, keeping the photo's shape, so its place is reserved before it loads. */
export function fittedSize(
  width: number | undefined,
  height: number | undefined,
  box: number,
): { width: number; height: number } | null {
  if (!width || !height) return null;
  const scale = Math.min(1, box / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

type TMediaContent = TContentOf<TMediaKind>;

/**
 * A media message's file as the dashboard shows it, by where the file stands: downloading; not
 * kept, and why (in words for each reason); removed by retention; or stored, shown by kind
 * (a photo inline opening full size, a sticker small, audio and voice notes with a player and
 * their transcript, video with a player, a document as a download with its name and size).
 * The caption follows. For media with no state (a stand-in from before the media store), the
 * caller shows its metadata instead.
 */
export function MediaMessage({ content, links }: { content: TMediaContent; links: TMediaLinks | null }) {
  const t = useTranslations("media");
  const format = useFormatter();
  const media = content.media;
  const caption = content.caption;
  let file: React.ReactNode;
  if (!media || media.state === "pending") {
    file = (
      <p role="status" className="text-foreground/80 italic" data-testid="media-pending">
        {t("pending")}
      </p>
    );
  } else if (media.state === "failed") {
    file = (
      <p className="text-foreground/80 italic" data-testid="media-failed" data-error={media.error ?? "unknown"}>
        {failedText(t, format, content.kind, media)}
      </p>
    );
  } else if (media.state === "removed" || !links) {
    file = (
      <p className="text-foreground/80 italic" data-testid="media-removed">
        {media.errorDetail === "retention" ? t("removed.retention") : t("removed.other")}
      </p>
    );
  } else {
    file = <StoredFile content={content} media={media} links={links} />;
  }
  return (
    <div className="space-y-1" data-testid="media" data-state={media?.state ?? "pending"}>
      {file}
      {caption ? (
        <div className="break-words whitespace-pre-wrap [overflow-wrap:anywhere]" data-testid="media-caption">
          {caption}
        </div>
      ) : null}
    </div>
  );
}

type TMediaT = ReturnType<typeof useTranslations<"media">>;

function failedText(t: TMediaT, format: ReturnType<typeof useFormatter>, kind: TMediaKind, media: TMediaRef): string {
  switch (media.error) {
    case "too_large":
      return t("failed.too_large", { limit: formatBytes(format, WHATSAPP_MEDIA_LIMITS[kind]) });
    case "type_mismatch":
    case "unsupported_type":
    case "empty":
    case "download_failed":
    case "unavailable":
    case "removed":
      return t(`failed.${media.error}`);
    default:
      return t("failed.unknown");
  }
}

function StoredFile({ content, media, links }: { content: TMediaContent; media: TMediaRef; links: TMediaLinks }) {
  switch (content.kind) {
    case "image":
    case "sticker":
      return <InlineImage media={media} links={links} caption={content.caption} sticker={content.kind === "sticker"} />;
    case "audio":
    case "voice":
      return <AudioPlayer links={links} voice={content.kind === "voice"} transcript={content.transcript} />;
    case "video":
      return <VideoPlayer media={media} links={links} />;
    case "document":
      return <DocumentLink media={media} links={links} />;
  }
}

function Unloadable({ state }: { state: "refreshing" | "broken" }) {
  const t = useTranslations("media.image");
  return state === "broken" ? (
    <p className="text-foreground/80 italic" data-testid="media-unloadable">
      {t("notLoaded")}
    </p>
  ) : (
    <div className="h-16 w-24 animate-pulse rounded-md bg-foreground/10" aria-hidden="true" />
  );
}

function InlineImage({
  media,
  links,
  caption,
  sticker,
}: {
  media: TMediaRef;
  links: TMediaLinks;
  caption: string | undefined;
  sticker: boolean;
}) {
  const t = useTranslations("media.image");
  const [open, setOpen] = useState(false);
  const src = links.thumbUrl ?? links.url;
  const { state, onError } = useLinkRefresh(src);
  const size = fittedSize(media.width, media.height, sticker ? STICKER_BOX : IMAGE_BOX);
  const alt = sticker ? t("sticker") : caption ? t("altCaption", { caption }) : t("alt");
  if (state !== "ok") return <Unloadable state={state} />;
  const image = (
    // eslint-disable-next-line @next/next/no-img-element -- a signed, expiring link to our own route: nothing for next/image to optimise
    <img
      src={src}
      alt={alt}
      width={size?.width}
      height={size?.height}
      loading="lazy"
      decoding="async"
      onError={onError}
      className={
        sticker
          ? "h-auto max-h-32 w-auto max-w-32"
          : "block h-auto max-h-60 w-auto max-w-full rounded-md bg-foreground/5"
      }
      data-testid={sticker ? "media-sticker" : "media-image"}
    />
  );
  if (sticker) return image;
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-haspopup="dialog"
        title={t("open")}
        className="block max-w-full rounded-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-primary"
      >
        {image}
        <span className="sr-only">{t("open")}</span>
      </button>
      {open ? (
        <ImageViewer src={links.url} downloadUrl={links.downloadUrl} alt={alt} onClose={() => setOpen(false)} />
      ) : null}
    </>
  );
}

function AudioPlayer({ links, voice, transcript }: { links: TMediaLinks; voice: boolean; transcript?: string }) {
  const t = useTranslations("media.audio");
  const { state, onError } = useLinkRefresh(links.url);
  const transcriptId = useId();
  return (
    <div className="space-y-1">
      {state === "ok" ? (
        <audio
          controls
          preload="metadata"
          src={links.url}
          onError={onError}
          aria-label={voice ? t("voicePlayer") : t("player")}
          aria-describedby={transcript ? transcriptId : undefined}
          className="w-64 max-w-full"
          data-testid="media-audio"
        />
      ) : (
        <Unloadable state={state} />
      )}
      {transcript ? (
        <p id={transcriptId} className="text-sm break-words whitespace-pre-wrap" data-testid="media-transcript">
          <span className="font-medium text-foreground/80">{t("transcript")}</span> {transcript}
        </p>
      ) : null}
    </div>
  );
}

function VideoPlayer({ media, links }: { media: TMediaRef; links: TMediaLinks }) {
  const t = useTranslations("media.video");
  const { state, onError } = useLinkRefresh(links.url);
  const size = fittedSize(media.width, media.height, 320);
  if (state !== "ok") return <Unloadable state={state} />;
  return (
    <video
      controls
      preload="metadata"
      playsInline
      src={links.url}
      width={size?.width}
      height={size?.height}
      onError={onError}
      aria-label={t("player")}
      className="block h-auto max-h-80 w-auto max-w-full rounded-md bg-black"
      data-testid="media-video"
    />
  );
}

function DocumentLink({ media, links }: { media: TMediaRef; links: TMediaLinks }) {
  const t = useTranslations("media.document");
  const format = useFormatter();
  const name = media.fileName?.trim() || t("unnamed");
  return (
    <a
      href={links.downloadUrl}
      download={media.fileName ?? true}
      title={t("download", { name })}
      className="flex max-w-full items-center gap-2 rounded-md border border-border bg-background/60 px-2 py-1.5 hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary"
      data-testid="media-document"
    >
      <span aria-hidden="true">📄</span>
      <span className="min-w-0">
        <span className="block font-medium [overflow-wrap:anywhere] underline-offset-2">{name}</span>
        {media.size !== undefined ? (
          <span className="block text-xs text-foreground/70">{formatBytes(format, media.size)}</span>
        ) : null}
      </span>
    </a>
  );
}
