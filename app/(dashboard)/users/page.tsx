import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { UsersPanel } from "~/components/users/users-panel";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("users");
  return { title: t("page.title") };
}

export default async function UsersPage() {
  const t = await getTranslations("users");
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title={t("page.title")} />;
  return (
    <>
      <PageHeader title={t("page.title")} description={t("page.description")} />
      <UsersPanel currentUserId={user.id} canWrite={canAccess(user.role, "users", "write")} />
    </>
  );
}
