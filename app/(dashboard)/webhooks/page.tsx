import { NoAccess, NotYetBuilt } from "~/components/shell/not-yet-built";
import { requirePageUser } from "~/server/auth/page-access";

export const metadata = { title: "Webhooks" };

export default async function Page() {
  const { allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title="Webhooks" />;
  return (
    <NotYetBuilt
      title="Webhooks"
      summary="Signed outgoing webhooks with retries and a delivery log."
      comesWith="the integrations issue"
    />
  );
}
