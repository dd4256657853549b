import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ContactImport } from "~/components/contacts/contact-import";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("contacts");
  return { title: t("importPage.title") };
}

export default async function ContactImportPage() {
  const t = await getTranslations("contacts");
  const { user } = await requirePageUser();
  if (!canAccess(user.role, "contacts", "write")) return <NoAccess title={t("importPage.title")} />;
  return (
    <>
      <PageHeader title={t("importPage.title")} description={t("importPage.description")} />
      <ContactImport />
    </>
  );
}
