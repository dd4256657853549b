"use client";

import { useFormatter, useTranslations } from "next-intl";
import type { TMediaKind } from "~/server/messages/content";
import { formatBytes } from "./format-bytes";

/** A file picked to send, before it is uploaded: the kind it will likely be sent as, and a local preview (photo, video, audio). */
export type TAttachment = { file: File; kind: TMediaKind; previewUrl?: string };

/**
 * The file a message will carry, shown before sending: its name and size, a photo's thumbnail
 * or a video's first frame or a player for audio (local object URLs: nothing is uploaded yet);
 * a remove button; and while it uploads, its progress.
 */
export function AttachmentPreview({
  attachment,
  progress,
  onRemove,
  disabled,
}: {
  attachment: TAttachment;
  /** 0 to 1 while uploading; null otherwise. */
  progress: number | null;
  onRemove: () => void;
  disabled?: boolean;
}) {
  const t = useTranslations("media.attach");
  const format = useFormatter();
  const name = attachment.file.name || t("unnamed");
  const size = formatBytes(format, attachment.file.size);
  return (
    <div
      className="flex max-w-full min-w-0 items-center gap-3 rounded-md border border-border bg-card p-2"
      role="group"
      aria-label={t("preview", { name, size })}
      data-testid="attachment-preview"
    >
      {attachment.previewUrl && attachment.kind === "image" ? (
        // eslint-disable-next-line @next/next/no-img-element -- a local object URL of the picked file
        <img src={attachment.previewUrl} alt="" className="h-16 w-16 shrink-0 rounded object-cover" />
      ) : attachment.previewUrl && attachment.kind === "video" ? (
        <video
          src={attachment.previewUrl}
          muted
          playsInline
          preload="metadata"
          className="h-16 w-24 shrink-0 rounded bg-black"
        />
      ) : (
        <span aria-hidden="true" className="text-2xl">
          {attachment.kind === "video" ? "🎥" : attachment.kind === "audio" ? "🎵" : "📄"}
        </span>
      )}
      <div className="min-w-0 flex-1 text-sm">
        <div className="truncate font-medium" title={name}>
          {name}
        </div>
        <div className="text-xs text-foreground/70">{size}</div>
        {attachment.previewUrl && attachment.kind === "audio" ? (
          <audio
            src={attachment.previewUrl}
            controls
            preload="metadata"
            aria-label={t("previewAudio")}
            className="mt-1 h-8 w-full max-w-64"
          />
        ) : null}
        {progress !== null ? (
          <progress
            className="mt-1 h-1.5 w-full"
            max={1}
            value={progress}
            aria-label={t("uploadingPercent", { percent: Math.round(progress * 100) })}
          />
        ) : null}
      </div>
      <button
        type="button"
        onClick={onRemove}
        disabled={disabled}
        aria-label={t("removeNamed", { name })}
        className="h-8 w-8 shrink-0 rounded-md text-lg leading-none hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary disabled:opacity-50"
      >
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}
