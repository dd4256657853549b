import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AnalyticsWorkspace } from "~/components/analytics/analytics-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess, isScopedToOwn } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("analytics.page");
  return { title: t("title") };
}

export default async function AnalyticsPage() {
  const t = await getTranslations("analytics.page");
  const { user, allowed } = await requirePageUser("insights");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <PageHeader
        title={t("title")}
        description={isScopedToOwn(user.role, "insights") ? t("descriptionOwn") : t("description")}
      />
      {/* Listing sessions needs the "users" area: without it the session filter is hidden. */}
      <AnalyticsWorkspace canFilterBySession={canAccess(user.role, "users", "read")} />
    </>
  );
}
