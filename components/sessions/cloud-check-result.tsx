"use client";

import { useTranslations } from "next-intl";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";

/** What the last token check said: the number and name Meta gave, or exactly what is wrong. */
export function CloudCheckResult({
  check,
}: {
  check: { data?: { phone: string; name: string } | undefined; error: unknown; isPending: boolean };
}) {
  const t = useTranslations("sessions.cloud");
  if (check.isPending) return null;
  if (check.data)
    return (
      <Alert tone="success" className="break-words">
        <span data-testid="cloud-check-result">
          {t("check.works", { phone: check.data.phone, name: check.data.name })}
        </span>
      </Alert>
    );
  if (check.error)
    return (
      <Alert tone="error" className="break-words">
        <span data-testid="cloud-check-result">{describeError(check.error).message}</span>
      </Alert>
    );
  return null;
}
