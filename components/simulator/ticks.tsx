import { cn } from "~/components/ui/cn";

const LABELS: Record<string, string> = {
  queued: "queued",
  sent: "sent",
  delivered: "delivered",
  read: "read",
  failed: "failed",
};

/**
 * WhatsApp-style delivery ticks: ◷ queued, ✓ sent, ✓✓ delivered, blue ✓✓ read, ! failed. (◷, not the ⏱
 * emoji: common text fonts have it, so machines without an emoji font show a clock, not a box.)
 */
export function Ticks({ status, className }: { status: string; className?: string }) {
  const glyph = { queued: "◷", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" }[status] ?? "";
  return (
    <span
      aria-label={LABELS[status] ?? status}
      title={LABELS[status] ?? status}
      data-status={status}
      className={cn(
        "ml-2 text-xs",
        // Mixed toward the text color so the glyphs keep 4.5:1 on tinted bubbles too (light and dark).
        status === "read"
          ? "text-[color:color-mix(in_oklab,#0ea5e9_55%,var(--foreground))]"
          : status === "failed"
            ? "text-[color:color-mix(in_oklab,var(--destructive)_75%,var(--foreground))]"
            : "text-foreground/70",
        className,
      )}
    >
      {glyph}
    </span>
  );
}
