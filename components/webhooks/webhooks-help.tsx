import { useTranslations } from "next-intl";
import type { ReactNode } from "react";

const code = (chunks: ReactNode) => <code>{chunks}</code>;
const link = (chunks: ReactNode) => (
  <a className="underline" href="https://www.standardwebhooks.com/" target="_blank" rel="noreferrer">
    {chunks}
  </a>
);

/** How webhooks behave, in short: signing, retries, ordering, where the full docs are. */
export function WebhooksHelp() {
  const t = useTranslations("webhooks.help");
  return (
    <section
      aria-labelledby="webhooks-help-title"
      className="rounded-lg border border-border bg-card p-4 text-sm shadow-sm"
    >
      <h2 id="webhooks-help-title" className="font-semibold">
        {t("title")}
      </h2>
      <ul className="mt-2 list-disc space-y-1 break-words pl-5 text-muted-foreground">
        <li>{t.rich("signing", { code, link })}</li>
        <li>{t("retries")}</li>
        <li>{t.rich("ordering", { code })}</li>
        <li>{t.rich("docs", { code })}</li>
      </ul>
    </section>
  );
}
