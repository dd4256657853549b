import { useTranslations } from "next-intl";
import { type TAnalyticsRange, type TExportKind, exportHref } from "./analytics-range";

/** The "CSV" button of a table or series: a plain download link to the export route. */
export function CsvLink({
  kind,
  range,
  bucket,
  label,
}: {
  kind: TExportKind;
  range: TAnalyticsRange;
  bucket?: "hour" | "day";
  /** What is downloaded, for screen readers: "Download {label} as CSV". */
  label: string;
}) {
  const t = useTranslations("analytics.csv");
  return (
    <a
      href={exportHref(kind, range, bucket)}
      download
      aria-label={t("label", { what: label })}
      className="inline-flex h-8 shrink-0 items-center justify-center rounded-md border border-border bg-card px-3 text-sm font-medium transition-colors hover:bg-muted focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-primary"
    >
      CSV
    </a>
  );
}
