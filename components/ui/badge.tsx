import { cva, type VariantProps } from "class-variance-authority";
import type { HTMLAttributes } from "react";
import { cn } from "./cn";
import { DANGER_TEXT } from "./tones";

const badgeVariants = cva("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium", {
  variants: {
    tone: {
      // The tone's color darkened (or, in dark mode, lightened) toward the text color: the pure
      // tones on their own tint are below 4.5:1 at this size (WCAG AA, axe "color-contrast").
      neutral: "bg-muted text-[color:color-mix(in_oklab,var(--muted-foreground)_60%,var(--foreground))]",
      success: "bg-success/15 text-[color:color-mix(in_oklab,var(--success)_60%,var(--foreground))]",
      warning: "bg-warning/15 text-[color:color-mix(in_oklab,var(--warning)_55%,var(--foreground))]",
      danger: `bg-destructive/15 ${DANGER_TEXT}`,
      primary: "bg-primary/15 text-[color:color-mix(in_oklab,var(--primary)_75%,var(--foreground))]",
    },
  },
  defaultVariants: { tone: "neutral" },
});

export function Badge({
  className,
  tone,
  ...props
}: HTMLAttributes<HTMLSpanElement> & VariantProps<typeof badgeVariants>) {
  return <span className={cn(badgeVariants({ tone }), className)} {...props} />;
}
