import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { WebhooksWorkspace } from "~/components/webhooks/webhooks-workspace";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("webhooks.page");
  return { title: t("title") };
}

export default async function WebhooksPage() {
  const t = await getTranslations("webhooks.page");
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <WebhooksWorkspace canWrite={canAccess(user.role, "config", "write")} />
    </>
  );
}
