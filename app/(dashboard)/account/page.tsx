import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { LanguageCard } from "~/components/auth/language-card";
import { SessionsCard } from "~/components/auth/sessions-card";
import { TwoFactorCard } from "~/components/auth/two-factor";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { getCurrentSession } from "~/server/auth/session";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("account");
  return { title: t("title") };
}

export default async function AccountPage() {
  const { user } = await requirePageUser();
  const chosen = (await getCurrentSession())?.locale ?? null;
  const t = await getTranslations("account");
  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("signedInAs", { email: user.email, role: t(`roles.${user.role}`) })}
      />
      <div className="space-y-6">
        <LanguageCard chosen={chosen} />
        <TwoFactorCard />
        <SessionsCard />
      </div>
    </>
  );
}
