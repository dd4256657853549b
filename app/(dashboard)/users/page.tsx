import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { UsersPanel } from "~/components/users/users-panel";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Users" };

export default async function UsersPage() {
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title="Users" />;
  return (
    <>
      <PageHeader title="Users" description="Who can sign in, and what their role lets them do." />
      <UsersPanel currentUserId={user.id} canWrite={canAccess(user.role, "users", "write")} />
    </>
  );
}
