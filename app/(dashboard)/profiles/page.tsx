import { ProfilesWorkspace } from "~/components/profiles/profiles-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Profiles" };

export default async function ProfilesPage() {
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title="Profiles" />;
  return (
    <>
      <PageHeader
        title="Profiles"
        description="Context profiles shape AI replies: persona, business facts, tone, topics to cover and to avoid."
      />
      <ProfilesWorkspace canWrite={canAccess(user.role, "config", "write")} />
    </>
  );
}
