import type { CSSProperties } from "react";

/**
 * Colours and text styles shared by the Recharts charts, from the theme's CSS variables, so the
 * charts follow light and dark mode. `--chart-secondary` (a blue, set on the page's root by
 * ANALYTICS_THEME_CLASS) is the second series: globals.css has only one neutral accent.
 */
export const SERIES_PRIMARY = "var(--primary)";
export const SERIES_SECONDARY = "var(--chart-secondary)";

/** Defines --chart-secondary: blue-600 on light (5.2:1 on white), blue-400 on dark (7:1 on the card). */
export const ANALYTICS_THEME_CLASS =
  "[--chart-secondary:#2563eb] [@media(prefers-color-scheme:dark)]:[--chart-secondary:#60a5fa]";

export const AXIS_TICK = { fill: "var(--muted-foreground)", fontSize: 12 };
export const AXIS_LINE = { stroke: "var(--border)" };
export const GRID_STROKE = "var(--border)";

export const TOOLTIP_STYLE: CSSProperties = {
  backgroundColor: "var(--card)",
  border: "1px solid var(--border)",
  borderRadius: 6,
  color: "var(--foreground)",
  fontSize: 13,
};
export const TOOLTIP_LABEL_STYLE: CSSProperties = { color: "var(--foreground)", fontWeight: 600 };
export const TOOLTIP_CURSOR = { stroke: "var(--muted-foreground)", strokeDasharray: "3 3" };
export const TOOLTIP_BAR_CURSOR = { fill: "var(--muted)" };
