import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("errors.notFound");
  return { title: t("title") };
}

/**
 * Any unknown address. Our own rather than Next's built-in page, whose inline <style> carries
 * no CSP nonce and is blocked (proxy.ts sets the CSP).
 */
export default async function NotFound() {
  const t = await getTranslations("errors.notFound");
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-2xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mb-6 text-sm text-muted-foreground">{t("description")}</p>
        <Link href="/" className="text-sm font-medium text-primary underline underline-offset-4">
          {t("back")}
        </Link>
      </div>
    </main>
  );
}
