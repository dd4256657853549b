import type { ReactNode } from "react";
import { cn } from "./cn";
import { DANGER_TEXT } from "./tones";

const TONES = {
  info: "border-border bg-muted",
  success: "border-success/40 bg-success/10",
  warning: "border-warning/40 bg-warning/10",
  error: `border-destructive/40 bg-destructive/10 ${DANGER_TEXT}`,
} as const;

export function Alert({
  tone = "info",
  children,
  className,
}: {
  tone?: keyof typeof TONES;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn("rounded-md border px-3 py-2 text-sm", TONES[tone], className)}
    >
      {children}
    </div>
  );
}
