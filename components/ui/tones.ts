/**
 * Text in the destructive colour mixed toward the text colour: the pure colour is below 4.5:1
 * on its own tint and on cards (lighter in dark mode, darker in light mode).
 */
export const DANGER_TEXT = "text-[color:color-mix(in_oklab,var(--destructive)_70%,var(--foreground))]";
