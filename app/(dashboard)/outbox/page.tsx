import { FailedSends } from "~/components/outbox/failed-sends";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Failed sends" };

export default async function OutboxPage() {
  const { user, allowed } = await requirePageUser("inbox");
  if (!allowed) return <NoAccess title="Failed sends" />;
  return (
    <>
      <PageHeader title="Failed sends" description="Replies that could not be sent after every retry, and why." />
      <FailedSends canWrite={canAccess(user.role, "inbox", "write")} />
    </>
  );
}
