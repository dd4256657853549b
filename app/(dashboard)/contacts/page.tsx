import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ContactsWorkspace } from "~/components/contacts/contacts-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("contacts");
  return { title: t("page.title") };
}

export default async function ContactsPage() {
  const t = await getTranslations("contacts");
  const { user, allowed } = await requirePageUser("contacts");
  if (!allowed) return <NoAccess title={t("page.title")} />;
  return (
    <>
      <PageHeader title={t("page.title")} description={t("page.description")} />
      <ContactsWorkspace canWrite={canAccess(user.role, "contacts", "write")} />
    </>
  );
}
