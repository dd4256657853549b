import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Badge } from "~/components/ui/badge";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { canAccess, PAGES, type TRole } from "~/server/auth/roles";
import type { TChecklist } from "~/server/home/checklist";

/** The getting-started checklist: each step, whether it is done (read from what was done), and where to do it. */
export async function ChecklistCard({ checklist, role }: { checklist: TChecklist; role: TRole }) {
  const t = await getTranslations("start.checklist");
  const done = checklist.steps.filter((step) => step.done).length;
  return (
    <Card data-testid="checklist">
      <CardHeader
        title={t("title")}
        description={t("description")}
        actions={
          <Badge tone="primary" data-testid="checklist-progress">
            {t("progress", { done, total: checklist.steps.length })}
          </Badge>
        }
      />
      <CardBody>
        <ol className="space-y-4">
          {checklist.steps.map(({ step, done: isDone, href }, index) => {
            const page = PAGES.find((entry) => entry.href === href);
            const allowed = !page || canAccess(role, page.resource, "write");
            return (
              <li key={step} className="flex gap-3" data-testid={`checklist-${step}`} data-done={isDone}>
                <span
                  aria-hidden="true"
                  className={
                    isDone
                      ? "flex size-7 shrink-0 items-center justify-center rounded-full bg-primary text-sm text-primary-foreground"
                      : "flex size-7 shrink-0 items-center justify-center rounded-full border border-border text-sm"
                  }
                >
                  {isDone ? "✓" : index + 1}
                </span>
                <div className="min-w-0 flex-1">
                  <h3 className="font-medium">
                    {t(`steps.${step}.title`)} <span className="sr-only">({isDone ? t("done") : t("todo")})</span>
                  </h3>
                  <p className="text-sm text-muted-foreground">{t(`steps.${step}.body`)}</p>
                  {isDone ? null : allowed ? (
                    <Link href={href} className="mt-1 inline-block text-sm font-medium text-primary hover:underline">
                      {t(`steps.${step}.action`)} →
                    </Link>
                  ) : (
                    <p className="mt-1 text-sm italic">{t("askAdmin")}</p>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      </CardBody>
    </Card>
  );
}
