"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef } from "react";

/**
 * A photo at full size in a modal dialog (the native `<dialog>`: focus moves into it, Escape
 * closes it, the rest of the page is inert). Closing returns focus to what opened it. On a
 * phone the photo fits the screen.
 */
export function ImageViewer({
  src,
  downloadUrl,
  alt,
  onClose,
}: {
  src: string;
  downloadUrl: string;
  alt: string;
  onClose: () => void;
}) {
  const t = useTranslations("media.viewer");
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (element && !element.open) element.showModal();
    return () => {
      if (element?.open) element.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      aria-label={t("title")}
      onClose={onClose}
      // A click on the backdrop (the dialog itself, outside its content) closes it too.
      onClick={(event) => {
        if (event.target === event.currentTarget) event.currentTarget.close();
      }}
      className="m-auto max-h-[100dvh] max-w-[100vw] bg-transparent p-0 backdrop:bg-black/80"
      data-testid="image-viewer"
    >
      <div className="flex flex-col items-center gap-2 p-2">
        <div className="flex w-full justify-end gap-2">
          <a
            href={downloadUrl}
            download
            className="rounded-md bg-card px-3 py-1.5 text-sm font-medium text-foreground underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-primary"
          >
            {t("download")}
          </a>
          <button
            type="button"
            autoFocus
            onClick={() => dialog.current?.close()}
            className="rounded-md bg-card px-3 py-1.5 text-sm font-medium text-foreground hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary"
          >
            {t("close")}
          </button>
        </div>
        {/* eslint-disable-next-line @next/next/no-img-element -- a signed, expiring link to our own route */}
        <img
          src={src}
          alt={alt}
          className="max-h-[calc(100dvh-4rem)] max-w-[calc(100vw-1rem)] object-contain"
          data-testid="image-full"
        />
      </div>
    </dialog>
  );
}
