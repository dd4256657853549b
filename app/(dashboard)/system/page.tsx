import { getTranslations } from "next-intl/server";
import { SystemStatus } from "~/components/overview/system-status";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { getCurrentHealth } from "~/server/health/current";

export async function generateMetadata() {
  const t = await getTranslations("shell.nav");
  return { title: t("system") };
}

/** Database, migrations, worker, queues and processes: for admins (what /api/health reports). */
export default async function SystemPage() {
  const t = await getTranslations("shell.nav");
  const { allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title={t("system")} />;
  return (
    <>
      <PageHeader title={t("system")} />
      <SystemStatus health={await getCurrentHealth()} />
    </>
  );
}
