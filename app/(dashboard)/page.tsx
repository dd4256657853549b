import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { SystemStatus } from "~/components/overview/system-status";
import { Card, CardBody } from "~/components/ui/card";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { getCurrentHealth } from "~/server/health/current";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("home");
  return { title: t("title") };
}

export default async function OverviewPage() {
  const { user } = await requirePageUser();
  const health = await getCurrentHealth();
  const t = await getTranslations("home");
  return (
    <>
      <PageHeader title={t("welcome", { name: user.name })} description={t("description")} />
      <SystemStatus health={health} />
      <Card className="mt-6">
        <CardBody>
          <p className="text-sm text-muted-foreground">
            {t.rich("analyticsHint", {
              link: (chunks) => (
                <Link href="/analytics" className="font-medium text-primary underline-offset-2 hover:underline">
                  {chunks}
                </Link>
              ),
            })}
          </p>
        </CardBody>
      </Card>
    </>
  );
}
