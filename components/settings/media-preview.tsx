"use client";

import { useTranslations } from "next-intl";
import { cn } from "~/components/ui/cn";
import type { TMediaKind } from "~/server/messages/content";

/** What a preview needs of a library file: its name, kind, and a signed thumbnail link when it has one. */
export type TPreviewAsset = { name: string; kind: TMediaKind; links?: { thumbUrl?: string } | null };

const GLYPHS: Record<TMediaKind, string> = {
  image: "🖼",
  video: "🎬",
  audio: "🎵",
  voice: "🎙",
  document: "📄",
  sticker: "🏷",
};

/** A library file's small preview: the server-made thumbnail of an image, else a mark of its kind. */
export function MediaAssetPreview({ asset, size = "md" }: { asset: TPreviewAsset; size?: "sm" | "md" }) {
  const t = useTranslations("mediaLibrary");
  const box = size === "sm" ? "h-8 w-8" : "h-12 w-12";
  const thumb = asset.links?.thumbUrl;
  if (thumb) {
    return (
      // A signed, short-lived link to our own thumbnail route: next/image's optimiser is not for it.
      // eslint-disable-next-line @next/next/no-img-element
      <img
        src={thumb}
        alt={t("preview", { name: asset.name })}
        className={cn(box, "shrink-0 rounded border border-border object-cover")}
      />
    );
  }
  return (
    <span
      role="img"
      aria-label={t("preview", { name: asset.name })}
      className={cn(box, "flex shrink-0 items-center justify-center rounded border border-border bg-muted text-lg")}
    >
      {GLYPHS[asset.kind]}
    </span>
  );
}
