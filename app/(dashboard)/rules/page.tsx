import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { RulesWorkspace } from "~/components/rules/rules-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("rules.page");
  return { title: t("title") };
}

export default async function RulesPage() {
  const t = await getTranslations("rules.page");
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <RulesWorkspace canWrite={canAccess(user.role, "config", "write")} />
    </>
  );
}
