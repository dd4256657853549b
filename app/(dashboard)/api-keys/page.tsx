import { ApiKeysPanel } from "~/components/api/api-keys-panel";
import { ApiReference } from "~/components/api/api-reference";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "API" };

export default async function ApiKeysPage() {
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title="API" />;
  return (
    <>
      <PageHeader
        title="API"
        description="Keys for Switchboard's REST API (/api/v1), and its reference: send messages, read their status, manage contacts and threads from your own programs."
      />
      <div className="flex flex-col gap-6">
        <ApiKeysPanel canWrite={canAccess(user.role, "users", "write")} />
        <ApiReference />
      </div>
    </>
  );
}
