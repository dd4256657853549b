import type { ReactNode } from "react";
import { Alert } from "~/components/ui/alert";
import { cn } from "~/components/ui/cn";

/**
 * The destructive colour darkened (light mode) or lightened (dark mode) toward the text colour, as
 * Badge does: the pure colour is below WCAG AA's 4.5:1 on its own tint (the shared Alert's error
 * text, 4.1:1 on a card) and white on it fails in dark mode (the shared destructive Button, 2.8:1).
 */
export const READABLE_ERROR = "text-[color:color-mix(in_oklab,var(--destructive)_70%,var(--foreground))]";

/** The shared Alert, with error text dark enough to read on a card. */
export function SessionAlert({
  tone,
  children,
  className,
}: {
  tone: "success" | "error";
  children: ReactNode;
  className?: string;
}) {
  return (
    <Alert tone={tone} className={cn(tone === "error" && READABLE_ERROR, className)}>
      {children}
    </Alert>
  );
}
