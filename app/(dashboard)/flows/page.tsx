import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { FlowsList } from "~/components/flows/flows-list";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("flows.page");
  return { title: t("title") };
}

export default async function FlowsPage() {
  const t = await getTranslations("flows.page");
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <FlowsList canWrite={canAccess(user.role, "config", "write")} />
    </>
  );
}
