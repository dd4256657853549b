"use client";

import { usePathname } from "next/navigation";
import { useTranslations } from "next-intl";
import { type ReactNode, useEffect, useRef, useState } from "react";

/**
 * Phones and small tablets (below `md`): a top bar with the menu button; the menu opens over the
 * page as a drawer holding the same navigation as the desktop sidebar. It closes on a choice
 * (the path changes), on Escape and on a tap outside, and gives focus back to its button.
 */
export function MobileNav({ brand, badge, children }: { brand: ReactNode; badge?: ReactNode; children: ReactNode }) {
  const t = useTranslations("shell");
  const pathname = usePathname();
  // Open on the page it was opened on: choosing a page (the path changes) closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const setOpen = (value: boolean) => setOpenOn(value ? pathname : null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLElement>("a, button, select")?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpenOn(null);
      button.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <div className="md:hidden">
      <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-border bg-card px-3">
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls="mobile-menu"
          aria-label={open ? t("closeMenu") : t("openMenu")}
          data-testid="menu-button"
          onClick={() => setOpen(!open)}
          className="inline-flex size-10 items-center justify-center rounded-md hover:bg-muted"
        >
          <svg
            aria-hidden="true"
            viewBox="0 0 24 24"
            className="size-5"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            {open ? <path d="M6 6l12 12M18 6L6 18" /> : <path d="M4 7h16M4 12h16M4 17h16" />}
          </svg>
        </button>
        <div className="min-w-0 flex-1 truncate">{brand}</div>
        {badge}
      </header>
      {open ? (
        <div className="fixed inset-0 top-14 z-20" data-testid="mobile-menu-layer">
          <button
            type="button"
            tabIndex={-1}
            aria-hidden="true"
            className="absolute inset-0 bg-black/40"
            onClick={() => setOpen(false)}
          />
          <div
            ref={panel}
            id="mobile-menu"
            className="relative flex h-full w-72 max-w-[85vw] flex-col overflow-y-auto border-r border-border bg-card"
          >
            {children}
          </div>
        </div>
      ) : null}
    </div>
  );
}
