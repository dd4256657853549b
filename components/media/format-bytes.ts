import type { useFormatter } from "next-intl";

type TFormatter = ReturnType<typeof useFormatter>;

/** A size in words, in the reader's language: "2.1 MB". */
export function formatBytes(format: TFormatter, size: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return format.number(value, {
    style: "unit",
    unit: units[unit],
    unitDisplay: unit === 0 ? "long" : "short",
    maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1,
  });
}
