"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "~/components/trpc/client";
import { Select } from "~/components/ui/input";
import { MediaAssetPreview } from "~/components/settings/media-preview";

/**
 * The file a rule's reply sends, picked from the media library (Settings → Media): its name and
 * kind, with a small preview. A file deleted from the library since it was picked stays shown as
 * deleted, with what to do: publishing refuses the ruleset until the reply names another file or none.
 */
export function ReplyMediaPicker({
  value,
  number,
  disabled,
  onChange,
}: {
  value: string | undefined;
  number: number;
  disabled?: boolean;
  onChange: (mediaAssetId: string | undefined) => void;
}) {
  const t = useTranslations("mediaLibrary");
  const trpc = useTRPC();
  const assets = useQuery(trpc.media.assets.queryOptions());
  const picked = value ? assets.data?.find((asset) => asset.id === value) : undefined;
  const deleted = Boolean(value && assets.data && !picked);
  return (
    <div className="flex min-w-0 basis-full flex-col gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <Select
          aria-label={t("picker.label", { number })}
          className="w-full sm:w-72"
          value={value ?? ""}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value || undefined)}
        >
          <option value="">{t("picker.none")}</option>
          {deleted ? <option value={value}>{t("picker.deleted")}</option> : null}
          {assets.data?.map((asset) => (
            <option key={asset.id} value={asset.id}>
              {t("picker.option", { name: asset.name, kind: t(`kinds.${asset.kind}`) })}
            </option>
          ))}
        </Select>
        {picked ? <MediaAssetPreview asset={picked} size="sm" /> : null}
      </div>
      {deleted ? (
        <p role="alert" className="text-xs text-destructive">
          {t("picker.deletedHint")}
        </p>
      ) : null}
    </div>
  );
}
