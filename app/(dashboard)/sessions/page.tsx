import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { SessionsWorkspace } from "~/components/sessions/sessions-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("sessions");
  return { title: t("page.title") };
}

export default async function SessionsPage() {
  const t = await getTranslations("sessions");
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title={t("page.title")} />;
  return (
    <>
      <PageHeader title={t("page.title")} description={t("page.description")} />
      <SessionsWorkspace canWrite={canAccess(user.role, "users", "write")} />
    </>
  );
}
