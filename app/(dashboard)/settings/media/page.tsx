import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { MediaLibraryPanel } from "~/components/settings/media-library";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("mediaLibrary.page");
  return { title: t("title") };
}

/** Settings → Media: the media library, retention and storage (admins change them; managers read). */
export default async function MediaSettingsPage() {
  const t = await getTranslations("mediaLibrary.page");
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/settings" className="text-muted-foreground underline-offset-4 hover:underline">
          {t("back")}
        </Link>
      </p>
      <PageHeader title={t("title")} description={t("description")} />
      <MediaLibraryPanel canWrite={canAccess(user.role, "users", "write")} />
    </>
  );
}
