import { AnalyticsWorkspace } from "~/components/analytics/analytics-workspace";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess, isScopedToOwn } from "~/server/auth/roles";

export const metadata = { title: "Analytics" };

export default async function AnalyticsPage() {
  const { user, allowed } = await requirePageUser("insights");
  if (!allowed) return <NoAccess title="Analytics" />;
  return (
    <>
      <PageHeader
        title="Analytics"
        description={
          isScopedToOwn(user.role, "insights")
            ? "Volumes, response times, rule hits and hand-offs for the whole team; the agents table shows your own row."
            : "Volumes, response times, rule hits, hand-offs, delivery and AI health."
        }
      />
      {/* Listing sessions needs the "users" area: without it the session filter is hidden. */}
      <AnalyticsWorkspace canFilterBySession={canAccess(user.role, "users", "read")} />
    </>
  );
}
