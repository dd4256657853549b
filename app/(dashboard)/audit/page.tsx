import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuditLog } from "~/components/audit/audit-log";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { isScopedToOwn } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("audit");
  return { title: t("page.title") };
}

export default async function AuditPage() {
  const t = await getTranslations("audit");
  const { user, allowed } = await requirePageUser("insights");
  if (!allowed) return <NoAccess title={t("page.title")} />;
  return (
    <>
      <PageHeader
        title={t("page.title")}
        description={isScopedToOwn(user.role, "insights") ? t("page.descriptionOwn") : t("page.description")}
      />
      <AuditLog />
    </>
  );
}
