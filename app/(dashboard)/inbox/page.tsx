import { InboxWorkspace } from "~/components/inbox/inbox-workspace";
import { NotificationToggle } from "~/components/inbox/notifications";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Inbox" };

export default async function InboxPage() {
  const { user, allowed } = await requirePageUser("inbox");
  if (!allowed) return <NoAccess title="Inbox" />;
  return (
    <>
      <PageHeader
        title="Inbox"
        description="Live conversations: take a thread over from the bot, reply, and hand it back."
        actions={<NotificationToggle />}
      />
      <InboxWorkspace currentUserId={user.id} canWrite={canAccess(user.role, "inbox", "write")} />
    </>
  );
}
