import { useTranslations } from "next-intl";
import { cn } from "~/components/ui/cn";

const STATUSES = ["queued", "sent", "delivered", "read", "failed"] as const;
function isKnownStatus(status: string): status is (typeof STATUSES)[number] {
  return (STATUSES as readonly string[]).includes(status);
}

/**
 * WhatsApp-style delivery ticks: ◷ queued, ✓ sent, ✓✓ delivered, blue ✓✓ read, ! failed. (◷, not the ⏱
 * emoji: common text fonts have it, so machines without an emoji font show a clock, not a box.)
 */
export function Ticks({ status, className }: { status: string; className?: string }) {
  const t = useTranslations("inbox.status");
  const label = isKnownStatus(status) ? t(status) : status;
  const glyph = { queued: "◷", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" }[status] ?? "";
  return (
    <span
      aria-label={label}
      title={label}
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
