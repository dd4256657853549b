import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { KnowledgeWorkspace } from "~/components/knowledge/knowledge-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("shell.nav");
  return { title: t("knowledge") };
}

/** The knowledge base: collections, their sources and passages (components/knowledge). */
export default async function Page() {
  const t = await getTranslations("shell.nav");
  const ui = await getTranslations("domain.knowledgeUi.ui");
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title={t("knowledge")} />;
  return (
    <>
      <PageHeader title={t("knowledge")} description={ui("description")} />
      <KnowledgeWorkspace canWrite={canAccess(user.role, "config", "write")} />
    </>
  );
}
