"use client";

import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { SignOutButton } from "~/components/shell/sign-out-button";
import { Card, CardBody } from "~/components/ui/card";
import { TwoFactorEnrolment } from "./two-factor";

/** The enrolment an admin must finish before anything else; then on to the dashboard. */
export function RequiredTwoFactorSetup() {
  const t = useTranslations("auth.setup");
  const router = useRouter();
  return (
    <Card>
      <CardBody className="space-y-4">
        <TwoFactorEnrolment onEnabled={() => router.push("/")} />
        <div className="border-t border-border pt-3 text-sm text-muted-foreground">
          {t("notNow")} <SignOutButton />
        </div>
      </CardBody>
    </Card>
  );
}
