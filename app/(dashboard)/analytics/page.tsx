import { NoAccess, NotYetBuilt } from "~/components/shell/not-yet-built";
import { requirePageUser } from "~/server/auth/page-access";

export const metadata = { title: "Analytics" };

export default async function Page() {
  const { allowed } = await requirePageUser("insights");
  if (!allowed) return <NoAccess title="Analytics" />;
  return (
    <NotYetBuilt
      title="Analytics"
      summary="Volumes, response times, rule hits, handoffs, delivery and AI health."
      comesWith="the analytics issue"
    />
  );
}
