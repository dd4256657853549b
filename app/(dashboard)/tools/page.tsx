import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NoAccess } from "~/components/shell/not-yet-built";
import { ToolsWorkspace } from "~/components/tools/tools-workspace";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("shell.nav");
  return { title: t("tools") };
}

/** The AI tools page: HTTP lookups the model may call while it writes a reply. */
export default async function Page() {
  const t = await getTranslations("shell.nav");
  const tt = await getTranslations("domain.aiTools.ui");
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title={t("tools")} />;
  return (
    <>
      <PageHeader title={t("tools")} description={tt("pageDescription")} />
      <ToolsWorkspace canWrite={canAccess(user.role, "config", "write")} />
    </>
  );
}
