import { ContactImport } from "~/components/contacts/contact-import";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Import contacts" };

export default async function ContactImportPage() {
  const { user } = await requirePageUser();
  if (!canAccess(user.role, "contacts", "write")) return <NoAccess title="Import contacts" />;
  return (
    <>
      <PageHeader
        title="Import contacts"
        description="Add contacts from a CSV file, or update the ones you have: a number already in your contacts is updated, never added twice."
      />
      <ContactImport />
    </>
  );
}
