import type { useFormatter } from "next-intl";

/** Bytes in the reader's units and number format (1.2 MB, 1,2 MB). */
export function formatBytes(format: ReturnType<typeof useFormatter>, bytes: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return format.number(value, {
    style: "unit",
    unit: units[unit],
    unitDisplay: "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  });
}
