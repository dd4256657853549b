import { NoAccess } from "~/components/shell/not-yet-built";
import { Simulator } from "~/components/simulator/simulator";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Simulator" };

export default async function SimulatorPage() {
  const { user, allowed } = await requirePageUser("inbox");
  if (!allowed) return <NoAccess title="Simulator" />;
  return (
    <>
      <PageHeader
        title="Simulator"
        description="Chat as any contact, without a phone: messages go through the same pipeline as WhatsApp's."
      />
      <Simulator canWrite={canAccess(user.role, "inbox", "write")} />
    </>
  );
}
