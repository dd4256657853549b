import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { FailedSends } from "~/components/outbox/failed-sends";
import { StuckSends } from "~/components/outbox/stuck-sends";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("outbox.page");
  return { title: t("title") };
}

export default async function OutboxPage() {
  const { user, allowed } = await requirePageUser("inbox");
  const t = await getTranslations("outbox.page");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="space-y-6">
        <FailedSends canWrite={canAccess(user.role, "inbox", "write")} />
        <StuckSends />
      </div>
    </>
  );
}
