import { useTranslations } from "next-intl";
import { Badge } from "~/components/ui/badge";
import type { TOwner } from "./inbox-labels";

const OWNER_TONE = {
  bot: "neutral",
  closed: "neutral",
  unassigned: "warning",
  me: "primary",
  person: "primary",
} as const;

/** Who has the conversation: Bot, Closed, Unassigned, You or a person's name. */
export function OwnerBadge({ owner }: { owner: TOwner }) {
  const t = useTranslations("inbox.owner");
  return (
    <Badge tone={OWNER_TONE[owner.kind]} title={t("title", { name: owner.label })}>
      {owner.label}
    </Badge>
  );
}

/** The contact's learned mood, when it says something (neutral and unknown show nothing). */
export function MoodBadge({ sentiment }: { sentiment: "positive" | "neutral" | "negative" | null }) {
  const t = useTranslations("inbox.mood");
  if (sentiment === "negative") return <Badge tone="danger">{t("negative")}</Badge>;
  if (sentiment === "positive") return <Badge tone="success">{t("positive")}</Badge>;
  return null;
}

const PRIORITY_TONE = { low: "neutral", medium: "primary", high: "warning", urgent: "danger" } as const;

/** How urgent staff marked the conversation (nothing for "none"). */
export function PriorityBadge({ priority }: { priority: "none" | "low" | "medium" | "high" | "urgent" }) {
  const t = useTranslations("domain.inboxWork.ui.priority");
  if (priority === "none") return null;
  return (
    <Badge tone={PRIORITY_TONE[priority]} title={t("label")} data-testid="priority-badge">
      {t(priority)}
    </Badge>
  );
}

/** The conversation's labels (staff's words: not translated). */
export function LabelBadges({ labels }: { labels: readonly string[] }) {
  return labels.map((label) => (
    <Badge key={label} tone="neutral" translate="no" data-testid="label-badge">
      #{label}
    </Badge>
  ));
}
