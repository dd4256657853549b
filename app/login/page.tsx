import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { LoginForm } from "~/components/auth/login-form";
import { SignInLanguage } from "~/components/auth/sign-in-language";
import { safeCallbackPath } from "~/server/auth/callback-url";
import { authErrorKey } from "~/server/auth/sign-in-messages";
import { getCurrentSession } from "~/server/auth/session";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.login");
  return { title: t("title") };
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string }>;
}) {
  // Signed in already (or only the two-factor set-up left, which "/" sends them to).
  if (await getCurrentSession()) redirect("/");
  const { callbackUrl, error } = await searchParams;
  const target = safeCallbackPath(callbackUrl);
  const t = await getTranslations("auth.login");
  const errorKey = authErrorKey(error);
  return (
    <div className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-2xl font-semibold tracking-tight">
          <span className="text-primary">●</span> Switchboard
        </h1>
        <p className="mb-6 text-sm text-muted-foreground">{t("tagline")}</p>
        <LoginForm callbackUrl={target} initialError={errorKey ? t(`errors.${errorKey}`) : null} />
        <SignInLanguage />
      </div>
    </div>
  );
}
