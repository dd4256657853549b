import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { ChecklistCard } from "~/components/home/checklist-card";
import { NumbersDown } from "~/components/home/numbers-down";
import { TodaySummary } from "~/components/home/today-summary";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { getDb } from "~/server/db";
import { getChecklist } from "~/server/home/checklist";
import { getToday } from "~/server/home/today";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("home");
  return { title: t("title") };
}

/**
 * Each role's home: agents land on the Inbox and managers on Analytics; admins and builders on
 * the getting-started checklist until it is done, then on a summary of today. Health is on the
 * System page.
 */
export default async function HomePage() {
  const { user } = await requirePageUser();
  if (user.role === "agent") redirect("/inbox");
  if (user.role === "manager") redirect("/analytics");
  const db = getDb();
  const [checklist, today] = await Promise.all([getChecklist(db), getToday(db, user)]);
  const t = await getTranslations("home");
  return (
    <>
      <PageHeader title={t("welcome", { name: user.name })} description={t("description")} />
      <NumbersDown numbers={today.numbersDown} />
      <div className="space-y-6">
        {checklist.done ? null : <ChecklistCard checklist={checklist} role={user.role} />}
        <TodaySummary today={today} />
      </div>
    </>
  );
}
