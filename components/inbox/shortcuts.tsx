"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState } from "react";
import { Button } from "~/components/ui/button";
import { useModalDialog } from "~/components/ui/modal-dialog";
import { SHORTCUT_EVENT, type TShortcutAction } from "./thread-work";

/** Whether a key press belongs to a field the person is typing in (shortcuts stay out of it). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["checkbox", "radio", "button", "submit", "reset"].includes(type);
}

const ACTIONS: Record<string, TShortcutAction> = {
  r: "reply",
  n: "note",
  e: "close",
  a: "assign-me",
  s: "snooze",
  "/": "saved",
};

/** The keys of the help sheet, in its order, with their labels (`domain.inboxWork.ui.shortcuts.*`). */
const SHEET = [
  { keys: ["j"], label: "next" },
  { keys: ["k"], label: "previous" },
  { keys: ["r"], label: "reply" },
  { keys: ["n"], label: "note" },
  { keys: ["e"], label: "close" },
  { keys: ["a"], label: "assignMe" },
  { keys: ["s"], label: "snooze" },
  { keys: ["/"], label: "saved" },
  { keys: ["?"], label: "help" },
] as const;

/**
 * The Inbox's single-key shortcuts: j / k the next and previous conversation of the list, r reply,
 * n note, e close (asks first), a assign to me, s snooze, / saved replies, ? this sheet. Never while
 * typing in a field, with a modifier held, or while a dialog is open.
 */
export function useInboxShortcuts(onMove: (direction: 1 | -1) => void, onHelp: () => void) {
  const move = useRef(onMove);
  const help = useRef(onHelp);
  useEffect(() => {
    move.current = onMove;
    help.current = onHelp;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target)) return;
      if (document.querySelector("dialog[open]")) return;
      const key = event.key;
      if (key === "j" || key === "k") {
        event.preventDefault();
        move.current(key === "j" ? 1 : -1);
      } else if (key === "?") {
        event.preventDefault();
        help.current();
      } else if (ACTIONS[key]) {
        event.preventDefault();
        window.dispatchEvent(new CustomEvent(SHORTCUT_EVENT, { detail: ACTIONS[key] }));
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}

/** The "?" sheet: every shortcut and what it does. */
export function ShortcutsSheet({ onClose }: { onClose: () => void }) {
  const t = useTranslations("domain.inboxWork.ui.shortcuts");
  const common = useTranslations("common");
  const { ref: dialog, titleId, close } = useModalDialog();
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      data-testid="shortcuts-sheet"
      className="m-auto w-[min(26rem,calc(100vw-2rem))] rounded-lg border border-border bg-card p-0 text-foreground shadow-xl backdrop:bg-black/40"
    >
      <div className="flex items-center justify-between gap-4 border-b border-border p-4">
        <h2 id={titleId} className="font-semibold">
          {t("title")}
        </h2>
        <Button size="sm" variant="ghost" onClick={close}>
          {common("close")}
        </Button>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 p-4 text-sm">
        {SHEET.map((row) => (
          <div key={row.label} className="contents">
            <dt>
              {row.keys.map((key) => (
                <kbd key={key} className="rounded border border-border bg-muted px-1.5 py-0.5 font-mono text-xs">
                  {key}
                </kbd>
              ))}
            </dt>
            <dd>{t(row.label)}</dd>
          </div>
        ))}
      </dl>
      <p className="px-4 pb-4 text-xs text-muted-foreground">{t("typing")}</p>
    </dialog>
  );
}

/** The help sheet's state and the shortcuts, for the Inbox page. */
export function useShortcutsSheet(onMove: (direction: 1 | -1) => void) {
  const [open, setOpen] = useState(false);
  useInboxShortcuts(onMove, () => setOpen(true));
  return { open, show: () => setOpen(true), hide: () => setOpen(false) };
}
