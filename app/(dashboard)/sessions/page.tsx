import { NoAccess, NotYetBuilt } from "~/components/shell/not-yet-built";
import { requirePageUser } from "~/server/auth/page-access";

export const metadata = { title: "Sessions" };

export default async function Page() {
  const { allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title="Sessions" />;
  return (
    <NotYetBuilt
      title="Sessions"
      summary="WhatsApp numbers: link by QR code, watch their status, restart or log out."
      comesWith="the WhatsApp sessions issue"
    />
  );
}
