"use client";

import { toDataURL } from "qrcode";
import { useEffect, useState } from "react";
import { Alert } from "~/components/ui/alert";

/**
 * The QR code WhatsApp Web shows for linking, drawn in the browser from the string the worker
 * stored, with the steps to scan it. A new string (WhatsApp rotates it every ~20 s) replaces the
 * image once drawn, so the old one stays up meanwhile instead of flickering.
 */
export function SessionQr({ qr, name }: { qr: string; name: string }) {
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
        if (isCurrent) setError(caught instanceof Error ? caught.message : "The QR code could not be drawn.");
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
          <img src={drawn.url} alt={`QR code to link ${name}`} width={240} height={240} className="size-60" />
        ) : (
          <span className="text-sm text-slate-600">Drawing the QR code…</span>
        )}
      </div>
      <div className="space-y-2 text-sm">
        <p className="font-medium">Link this number by scanning the code with its phone:</p>
        <ol className="list-decimal space-y-1 pl-5">
          <li>Open WhatsApp on the phone.</li>
          <li>
            Tap <strong>Menu</strong> (⋮) or <strong>Settings</strong>, then <strong>Linked devices</strong>.
          </li>
          <li>
            Tap <strong>Link a device</strong>.
          </li>
          <li>Point the phone at this code.</li>
        </ol>
        <p className="text-muted-foreground">
          WhatsApp replaces the code every few seconds; the new one appears here by itself.
        </p>
        {error ? <Alert tone="error">{error}</Alert> : null}
      </div>
    </div>
  );
}
