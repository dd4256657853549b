import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { CampaignResults } from "~/components/campaigns/campaign-results";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("domain.campaignResults.results");
  return { title: t("pageTitle") };
}

/** A campaign's results: live counters, each recipient's status (filtered, paged) and the CSV export. */
export default async function CampaignResultsPage({ params }: { params: Promise<{ id: string }> }) {
  const t = await getTranslations("domain.campaignResults.results");
  const { allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title={t("pageTitle")} />;
  const { id } = await params;
  return (
    <>
      <PageHeader title={t("pageTitle")} description={t("pageDescription")} />
      <CampaignResults id={id} />
    </>
  );
}
