import { cn } from "~/components/ui/cn";

const LABELS: Record<string, string> = {
  queued: "queued",
  sent: "sent",
  delivered: "delivered",
  read: "read",
  failed: "failed",
};

/** WhatsApp-style delivery ticks: ⏱ queued, ✓ sent, ✓✓ delivered, blue ✓✓ read, ! failed. */
export function Ticks({ status }: { status: string }) {
  const glyph = { queued: "⏱", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" }[status] ?? "";
  return (
    <span
      aria-label={LABELS[status] ?? status}
      title={LABELS[status] ?? status}
      data-status={status}
      className={cn(
        "ml-2 text-xs",
        status === "read" ? "text-sky-500" : status === "failed" ? "text-destructive" : "text-muted-foreground",
      )}
    >
      {glyph}
    </span>
  );
}
