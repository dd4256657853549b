import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { InboxWorkspace } from "~/components/inbox/inbox-workspace";
import { NotificationToggle } from "~/components/inbox/notifications";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("inbox.page");
  return { title: t("title") };
}

export default async function InboxPage() {
  const { user, allowed } = await requirePageUser("inbox");
  const t = await getTranslations("inbox.page");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} actions={<NotificationToggle />} />
      <InboxWorkspace currentUserId={user.id} canWrite={canAccess(user.role, "inbox", "write")} />
    </>
  );
}
