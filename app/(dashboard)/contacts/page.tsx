import { ContactsWorkspace } from "~/components/contacts/contacts-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Contacts" };

export default async function ContactsPage() {
  const { user, allowed } = await requirePageUser("contacts");
  if (!allowed) return <NoAccess title="Contacts" />;
  return (
    <>
      <PageHeader title="Contacts" description="Everyone who wrote to the bot, and everyone you added." />
      <ContactsWorkspace canWrite={canAccess(user.role, "contacts", "write")} />
    </>
  );
}
