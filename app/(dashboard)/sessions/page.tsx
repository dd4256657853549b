import { SessionsWorkspace } from "~/components/sessions/sessions-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Sessions" };

export default async function SessionsPage() {
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title="Sessions" />;
  return (
    <>
      <PageHeader
        title="Sessions"
        description="WhatsApp numbers: link each by QR code, watch its status, restart or log out, and pace its sends."
      />
      <SessionsWorkspace canWrite={canAccess(user.role, "users", "write")} />
    </>
  );
}
