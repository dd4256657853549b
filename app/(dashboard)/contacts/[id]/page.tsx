import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ContactDetail } from "~/components/contacts/contact-detail";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("contacts");
  return { title: t("detailPage.title") };
}

export default async function ContactPage({ params }: { params: Promise<{ id: string }> }) {
  const t = await getTranslations("contacts");
  const { user, allowed } = await requirePageUser("contacts");
  if (!allowed) return <NoAccess title={t("detailPage.title")} />;
  const { id } = await params;
  return (
    <>
      <PageHeader title={t("detailPage.title")} description={t("detailPage.description")} />
      <ContactDetail
        id={id}
        canWrite={canAccess(user.role, "contacts", "write")}
        canManageData={canAccess(user.role, "users", "write")}
      />
    </>
  );
}
