"use client";

import { useTranslations } from "next-intl";
import { toDataURL } from "qrcode";
import { useEffect, useState } from "react";
import { Alert } from "~/components/ui/alert";

/**
 * The QR code WhatsApp Web shows for linking, drawn in the browser from the string the worker
 * stored, with the steps to scan it. A new string (WhatsApp rotates it every ~20 s) replaces the
 * image once drawn, so the old one stays up meanwhile instead of flickering.
 */
export function SessionQr({ qr, name }: { qr: string; name: string }) {
  const t = useTranslations("sessions");
  const [drawn, setDrawn] = useState<{ qr: string; url: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let isCurrent = true;
    toDataURL(qr, { margin: 1, width: 256 }).then(
      (url) => {
        if (!isCurrent) return;
        setDrawn({ qr, url });
        setError(null);
      },
      (caught: unknown) => {
        if (isCurrent) setError(caught instanceof Error ? caught.message : "");
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [qr]);

  return (
    <div className="flex flex-col gap-4 sm:flex-row sm:items-start" data-testid="session-qr">
      <div className="flex size-64 shrink-0 items-center justify-center rounded-md border border-border bg-white p-2">
        {drawn ? (
          // A data URL drawn here: next/image has nothing to optimise.
          // eslint-disable-next-line @next/next/no-img-element
          <img src={drawn.url} alt={t("qr.alt", { name })} width={240} height={240} className="size-60" />
        ) : (
          <span className="text-sm text-slate-600">{t("qr.drawing")}</span>
        )}
      </div>
      <div className="min-w-0 space-y-2 text-sm">
        <p className="font-medium">{t("qr.intro")}</p>
        <ol className="list-decimal space-y-1 pl-5">
          <li>{t("qr.step1")}</li>
          <li>{t.rich("qr.step2", { strong: (chunks) => <strong>{chunks}</strong> })}</li>
          <li>{t.rich("qr.step3", { strong: (chunks) => <strong>{chunks}</strong> })}</li>
          <li>{t("qr.step4")}</li>
        </ol>
        <p className="text-muted-foreground">{t("qr.rotates")}</p>
        {error !== null ? (
          <Alert tone="error">
            {t("qr.drawFailed")} {error}
          </Alert>
        ) : null}
      </div>
    </div>
  );
}
