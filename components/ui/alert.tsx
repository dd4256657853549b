import type { ReactNode } from "react";
import { cn } from "./cn";

const TONES = {
  info: "border-border bg-muted",
  success: "border-success/40 bg-success/10",
  warning: "border-warning/40 bg-warning/10",
  // Text mixed towards the foreground: plain destructive on its 10 % tint is below 4.5:1.
  error:
    "border-destructive/40 bg-destructive/10 text-[color:color-mix(in_oklab,var(--destructive)_70%,var(--foreground))]",
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
