import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { FlowEditor } from "~/components/flows/flow-editor";
import { NoAccess } from "~/components/shell/not-yet-built";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("flows.page");
  return { title: t("editorTitle") };
}

export default async function FlowEditorPage({ params }: { params: Promise<{ id: string }> }) {
  const t = await getTranslations("flows.page");
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title={t("editorTitle")} />;
  return <FlowEditor flowId={id} canWrite={canAccess(user.role, "config", "write")} />;
}
