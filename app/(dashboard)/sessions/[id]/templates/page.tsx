import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NoAccess } from "~/components/shell/not-yet-built";
import { TemplatesWorkspace } from "~/components/templates/templates-workspace";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("sessions.templates");
  return { title: t("title") };
}

/** A Cloud API number's message templates, as last synced from Meta, each with a live preview. */
export default async function SessionTemplatesPage({ params }: { params: Promise<{ id: string }> }) {
  const t = await getTranslations("sessions.templates");
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title={t("title")} />;
  const { id } = await params;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <TemplatesWorkspace sessionId={id} canWrite={canAccess(user.role, "users", "write")} />
    </>
  );
}
