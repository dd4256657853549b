import { RulesWorkspace } from "~/components/rules/rules-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Rules" };

export default async function RulesPage() {
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title="Rules" />;
  return (
    <>
      <PageHeader
        title="Rules"
        description="Auto-responses: conditions on the message, the contact and the time; actions run in order. Test, then publish."
      />
      <RulesWorkspace canWrite={canAccess(user.role, "config", "write")} />
    </>
  );
}
