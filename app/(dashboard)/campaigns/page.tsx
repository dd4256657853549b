import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { CampaignsWorkspace } from "~/components/campaigns/campaigns-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("shell.nav");
  return { title: t("campaigns") };
}

/** The Campaigns page: segments, campaigns and their live progress. */
export default async function Page() {
  const t = await getTranslations("shell.nav");
  const tc = await getTranslations("domain.campaigns.ui");
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title={t("campaigns")} />;
  return (
    <>
      <PageHeader title={t("campaigns")} description={tc("pageDescription")} />
      <CampaignsWorkspace canWrite={canAccess(user.role, "config", "write")} />
    </>
  );
}
