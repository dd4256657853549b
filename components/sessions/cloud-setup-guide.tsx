"use client";

import { useTranslations } from "next-intl";
import type { ReactNode } from "react";

const META_APPS_URL = "https://developers.facebook.com/apps";
const BUSINESS_SETTINGS_URL = "https://business.facebook.com/settings/system-users";

function External({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a href={href} target="_blank" rel="noreferrer" className="font-medium text-primary underline underline-offset-2">
      {children}
    </a>
  );
}

/**
 * The steps of connecting a number through Meta's Cloud API, shown in the add form when the
 * chosen engine takes its messages by webhook: Meta's app, a system-user token, the ids and
 * secrets here, the webhook in Meta's app, and the check. docs/cloud-api.md says the same at length.
 */
export function CloudSetupGuide() {
  const t = useTranslations("sessions.cloud.guide");
  const rich = {
    strong: (chunks: ReactNode) => <strong>{chunks}</strong>,
    code: (chunks: ReactNode) => (
      <code className="break-all rounded bg-muted px-1 text-xs text-foreground">{chunks}</code>
    ),
    apps: (chunks: ReactNode) => <External href={META_APPS_URL}>{chunks}</External>,
    business: (chunks: ReactNode) => <External href={BUSINESS_SETTINGS_URL}>{chunks}</External>,
  };
  return (
    <div className="rounded-md border border-border bg-muted/40 p-4 text-sm" data-testid="cloud-setup-guide">
      <p className="font-medium">{t("title")}</p>
      <ol className="mt-2 list-decimal space-y-1.5 pl-5">
        <li>{t.rich("step1", rich)}</li>
        <li>{t.rich("step2", rich)}</li>
        <li>{t.rich("step3", rich)}</li>
        <li>{t.rich("step4", rich)}</li>
        <li>{t.rich("step5", rich)}</li>
      </ol>
    </div>
  );
}
