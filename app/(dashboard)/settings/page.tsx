import { getCountries } from "libphonenumber-js/min";
import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ContactFieldsSettings } from "~/components/settings/contact-fields";
import { MessageRetentionCard } from "~/components/settings/message-retention";
import { SecretsSettings } from "~/components/settings/secrets";
import { SettingsForm } from "~/components/settings/settings-form";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("settings.page");
  return { title: t("title") };
}

/**
 * The pickers' choices, from this server's own lists: the time zones its runtime knows (the
 * settings' check builds a formatter in the same runtime) and the countries the phone number
 * parser reads numbers in.
 */
function settingsChoices() {
  // "UTC", the default, is accepted by the check but not listed by the runtime.
  return { timeZones: ["UTC", ...Intl.supportedValuesOf("timeZone")], countries: [...getCountries()] };
}

export default async function SettingsPage() {
  const t = await getTranslations("settings.page");
  const tMedia = await getTranslations("mediaLibrary.page");
  const tConfig = await getTranslations("domain.configTransfer");
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title={t("title")} />;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <Link
        href="/settings/media"
        className="mb-6 block rounded-lg border border-border bg-card p-4 shadow-sm hover:bg-muted"
      >
        <span className="font-semibold">{tMedia("link")}</span>
        <span className="mt-1 block text-sm text-muted-foreground">{tMedia("linkDescription")}</span>
      </Link>
      <Link
        href="/settings/configuration"
        className="mb-6 block rounded-lg border border-border bg-card p-4 shadow-sm hover:bg-muted"
      >
        <span className="font-semibold">{tConfig("link")}</span>
        <span className="mt-1 block text-sm text-muted-foreground">{tConfig("linkDescription")}</span>
      </Link>
      <SettingsForm canWrite={canAccess(user.role, "users", "write")} choices={settingsChoices()} />
      <div className="mt-6 grid gap-6">
        <ContactFieldsSettings canWrite={canAccess(user.role, "users", "write")} />
        <SecretsSettings canWrite={canAccess(user.role, "users", "write")} />
        <MessageRetentionCard canWrite={canAccess(user.role, "users", "write")} />
      </div>
    </>
  );
}
