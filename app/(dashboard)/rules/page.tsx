import { NoAccess, NotYetBuilt } from "~/components/shell/not-yet-built";
import { requirePageUser } from "~/server/auth/page-access";

export const metadata = { title: "Rules" };

export default async function Page() {
  const { allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title="Rules" />;
  return (
    <NotYetBuilt
      title="Rules"
      summary="Auto-response rules built in a visual editor, tested, and published as versions."
      comesWith="the rules issue"
    />
  );
}
