import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ApiKeysPanel } from "~/components/api/api-keys-panel";
import { ApiReference } from "~/components/api/api-reference";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("api.page");
  return { title: t("title") };
}

export default async function ApiKeysPage() {
  const t = await getTranslations("api.page");
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="flex flex-col gap-6">
        <ApiKeysPanel canWrite={canAccess(user.role, "users", "write")} />
        <ApiReference />
      </div>
    </>
  );
}
