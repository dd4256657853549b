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
