import { ContactDetail } from "~/components/contacts/contact-detail";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Contact" };

export default async function ContactPage({ params }: { params: Promise<{ id: string }> }) {
  const { user, allowed } = await requirePageUser("contacts");
  if (!allowed) return <NoAccess title="Contact" />;
  const { id } = await params;
  return (
    <>
      <PageHeader title="Contact" description="Details, profile and the whole conversation." />
      <ContactDetail id={id} canWrite={canAccess(user.role, "contacts", "write")} />
    </>
  );
}
