import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NoAccess } from "~/components/shell/not-yet-built";
import { Simulator } from "~/components/simulator/simulator";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("simulator.page");
  return { title: t("title") };
}

export default async function SimulatorPage() {
  const { user, allowed } = await requirePageUser("inbox");
  const t = await getTranslations("simulator.page");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <Simulator canWrite={canAccess(user.role, "inbox", "write")} />
    </>
  );
}
