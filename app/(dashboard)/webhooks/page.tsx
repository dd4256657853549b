import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { WebhooksWorkspace } from "~/components/webhooks/webhooks-workspace";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const { user, allowed } = await requirePageUser("config");
  if (!allowed) return <NoAccess title="Webhooks" />;
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Send Switchboard's events (messages, handoffs, rules, contacts, sessions) to your own servers, signed, with retries and a delivery log."
      />
      <WebhooksWorkspace canWrite={canAccess(user.role, "config", "write")} />
    </>
  );
}
