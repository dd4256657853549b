import { AuditLog } from "~/components/audit/audit-log";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { isScopedToOwn } from "~/server/auth/roles";

export const metadata = { title: "Audit log" };

export default async function AuditPage() {
  const { user, allowed } = await requirePageUser("insights");
  if (!allowed) return <NoAccess title="Audit log" />;
  return (
    <>
      <PageHeader
        title="Audit log"
        description={
          isScopedToOwn(user.role, "insights")
            ? "The configuration changes you made."
            : "Every configuration change: who, what, before and after."
        }
      />
      <AuditLog />
    </>
  );
}
