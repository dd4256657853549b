import { NoAccess, NotYetBuilt } from "~/components/shell/not-yet-built";
import { requirePageUser } from "~/server/auth/page-access";

export const metadata = { title: "Contacts" };

export default async function Page() {
  const { allowed } = await requirePageUser("contacts");
  if (!allowed) return <NoAccess title="Contacts" />;
  return (
    <NotYetBuilt
      title="Contacts"
      summary="Everyone who writes to your numbers, with tags, profiles and history."
      comesWith="the contacts and AI issue"
    />
  );
}
