import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NoAccess } from "~/components/shell/not-yet-built";
import { TeamsPanel } from "~/components/teams/teams-panel";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("domain.teamsUi");
  return { title: t("page.title") };
}

/** Teams: everyone who works the inbox sees them and who is available; admins manage them. */
export default async function TeamsPage() {
  const t = await getTranslations("domain.teamsUi");
  const { user, allowed } = await requirePageUser("inbox");
  if (!allowed) return <NoAccess title={t("page.title")} />;
  return (
    <>
      <PageHeader title={t("page.title")} description={t("page.description")} />
      <TeamsPanel canWrite={canAccess(user.role, "users", "write")} />
    </>
  );
}
