"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { ContactDetail } from "~/components/contacts/contact-detail";
import { Button } from "~/components/ui/button";
import { useModalDialog } from "~/components/ui/modal-dialog";

/**
 * The contact beside the conversation: the contact page's details (fields, tags, notes, custom
 * fields, identities), editable in place, in a panel sliding over the right of the Inbox, so the
 * agent never leaves the conversation. Closing it refreshes the conversation (a new name shows).
 */
export function ContactPanelButton({
  contactId,
  canWrite,
  onClosed,
}: {
  contactId: string;
  canWrite: boolean;
  onClosed: () => void;
}) {
  const t = useTranslations("domain.inboxWork.ui.contactPanel");
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="text-primary underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-primary"
        onClick={() => setOpen(true)}
        data-testid="open-contact-panel"
      >
        {t("open")}
      </button>
      {open ? (
        <ContactPanel
          contactId={contactId}
          canWrite={canWrite}
          onClose={() => {
            setOpen(false);
            onClosed();
          }}
        />
      ) : null}
    </>
  );
}

function ContactPanel({ contactId, canWrite, onClose }: { contactId: string; canWrite: boolean; onClose: () => void }) {
  const t = useTranslations("domain.inboxWork.ui.contactPanel");
  const common = useTranslations("common");
  const { ref: dialog, titleId, close } = useModalDialog();
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      data-testid="contact-panel"
      className="m-0 ml-auto h-dvh max-h-none w-[min(40rem,100vw)] max-w-none border-l border-border bg-background p-0 text-foreground shadow-xl backdrop:bg-black/30"
    >
      <div className="sticky top-0 z-10 flex items-center justify-between gap-4 border-b border-border bg-card p-4">
        <h2 id={titleId} className="font-semibold">
          {t("title")}
        </h2>
        <Button size="sm" variant="ghost" onClick={close}>
          {common("close")}
        </Button>
      </div>
      <div className="p-4">
        <ContactDetail id={contactId} canWrite={canWrite} />
      </div>
    </dialog>
  );
}
