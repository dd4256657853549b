import Link from "next/link";
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
            Message volumes, response times, rule hits and hand-offs are under{" "}
            <Link href="/analytics" className="font-medium text-primary underline-offset-2 hover:underline">
              Analytics
            </Link>
            .
          </p>
        </CardBody>
      </Card>
    </>
  );
}
