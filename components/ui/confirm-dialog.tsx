"use client";

import { useTranslations } from "next-intl";
import { type ReactNode, useEffect, useId, useRef } from "react";
import { Button } from "./button";
import { useModalDialog } from "./modal-dialog";

/**
 * A modal question before an action that is not undone in one click (closing a conversation…):
 * the browser's `<dialog>` traps focus, closes on Escape (as Cancel) and gives focus back after.
 * The confirm button has focus first, so Enter confirms.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  tone = "primary",
  onConfirm,
  onCancel,
}: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  tone?: "primary" | "destructive";
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const common = useTranslations("common");
  const { ref: dialog, titleId, close } = useModalDialog();
  const bodyId = useId();
  const confirmed = useRef(false);
  useEffect(() => {
    dialog.current?.querySelector<HTMLButtonElement>("[data-confirm]")?.focus();
  }, [dialog]);
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      aria-describedby={children ? bodyId : undefined}
      onClose={() => (confirmed.current ? onConfirm() : onCancel())}
      data-testid="confirm-dialog"
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg border border-border bg-card p-0 text-foreground shadow-xl backdrop:bg-black/40"
    >
      <div className="space-y-3 p-4">
        <h2 id={titleId} className="font-semibold">
          {title}
        </h2>
        {children ? (
          <div id={bodyId} className="text-sm text-muted-foreground">
            {children}
          </div>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={close}>
            {common("cancel")}
          </Button>
          <Button
            data-confirm=""
            variant={tone}
            onClick={() => {
              confirmed.current = true;
              close();
            }}
          >
            {confirmLabel}
          </Button>
        </div>
      </div>
    </dialog>
  );
}
