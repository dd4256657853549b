import { NoAccess, NotYetBuilt } from "~/components/shell/not-yet-built";
import { requirePageUser } from "~/server/auth/page-access";

export const metadata = { title: "Profiles" };

export default async function Page() {
  const { allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title="Profiles" />;
  return (
    <NotYetBuilt
      title="Profiles"
      summary="Context profiles: who the contact is, tone, topics to avoid, business facts."
      comesWith="the contacts and AI issue"
    />
  );
}
