import { NoAccess, NotYetBuilt } from "~/components/shell/not-yet-built";
import { requirePageUser } from "~/server/auth/page-access";

export const metadata = { title: "Inbox" };

export default async function Page() {
  const { allowed } = await requirePageUser("inbox");
  if (!allowed) return <NoAccess title="Inbox" />;
  return (
    <NotYetBuilt
      title="Inbox"
      summary="Live conversations: take a thread over from the bot, reply, and hand it back."
      comesWith="the agent inbox issue"
    />
  );
}
