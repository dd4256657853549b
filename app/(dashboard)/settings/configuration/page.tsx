import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ConfigTransfer } from "~/components/config-transfer/config-transfer";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("domain.configTransfer");
  return { title: t("title") };
}

/** Settings → Configuration: export the bot configuration as a file, import one (diff first; admins). */
export default async function ConfigurationSettingsPage() {
  const t = await getTranslations("domain.configTransfer");
  const tMedia = await getTranslations("mediaLibrary.page");
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/settings" className="text-muted-foreground underline-offset-4 hover:underline">
          {tMedia("back")}
        </Link>
      </p>
      <PageHeader title={t("title")} description={t("intro")} />
      <ConfigTransfer canImport={canAccess(user.role, "users", "write")} />
    </>
  );
}
