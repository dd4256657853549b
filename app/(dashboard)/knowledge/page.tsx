import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("shell.nav");
  return { title: t("knowledge") };
}

/** Placeholder until the page is built (issue 23). */
export default async function Page() {
  const t = await getTranslations("shell.nav");
  const { allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title={t("knowledge")} />;
  return <PageHeader title={t("knowledge")} />;
}
