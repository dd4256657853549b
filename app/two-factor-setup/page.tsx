import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { RequiredTwoFactorSetup } from "~/components/auth/required-two-factor-setup";
import { getCurrentSession } from "~/server/auth/session";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.setup");
  return { title: t("title") };
}

/**
 * Where an admin lands while Settings require two-factor sign-in and they have none: the set-up,
 * and nothing else (every other page sends them here, and every other procedure refuses them).
 */
export default async function TwoFactorSetupPage() {
  const current = await getCurrentSession();
  if (!current) redirect("/login");
  if (!current.needsTwoFactorEnrolment) redirect("/");
  const t = await getTranslations("auth.setup");
  return (
    <div className="flex min-h-screen items-start justify-center p-6 sm:pt-16">
      <div className="w-full max-w-2xl">
        <h1 className="mb-1 text-2xl font-semibold tracking-tight">
          <span className="text-primary">●</span> {t("title")}
        </h1>
        <p className="mb-6 text-sm text-muted-foreground">{t("description", { email: current.user.email })}</p>
        <RequiredTwoFactorSetup />
      </div>
    </div>
  );
}
