import { SystemStatus } from "~/components/overview/system-status";
import { Card, CardBody } from "~/components/ui/card";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { getCurrentHealth } from "~/server/health/current";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const { user } = await requirePageUser();
  const health = await getCurrentHealth();
  return (
    <>
      <PageHeader title={`Welcome, ${user.name}`} description="The state of Switchboard right now." />
      <SystemStatus health={health} />
      <Card className="mt-6">
        <CardBody>
          <p className="text-sm text-muted-foreground">
            Message volumes, response times and rule hits appear here once the message pipeline and analytics issues
            land; there is no traffic to count yet.
          </p>
        </CardBody>
      </Card>
    </>
  );
}
