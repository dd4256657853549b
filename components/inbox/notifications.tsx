"use client";

import { useTranslations } from "next-intl";
import { useSyncExternalStore } from "react";
import { Button } from "~/components/ui/button";
import en from "~/server/i18n/messages/en/inbox.json";
import es from "~/server/i18n/messages/es/inbox.json";
import ptBR from "~/server/i18n/messages/pt-BR/inbox.json";

/** Where this browser remembers whether the user wants inbox notifications ("on" or "off"). */
const STORAGE_KEY = "switchboard.inbox.notifications";
/** Fired on this tab when the choice or the permission changes (`storage` covers other tabs). */
const CHANGE_EVENT = "switchboard:inbox-notifications";

type TNotificationState = "unsupported" | "off" | "on" | "blocked";

function readState(): TNotificationState {
  if (typeof window === "undefined" || !("Notification" in window)) return "unsupported";
  if (Notification.permission === "denied") return "blocked";
  let wanted = false;
  try {
    wanted = window.localStorage.getItem(STORAGE_KEY) === "on";
  } catch {
    // storage disabled: behave as not chosen
  }
  return wanted && Notification.permission === "granted" ? "on" : "off";
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("storage", onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

function remember(on: boolean) {
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
  } catch {
    // storage disabled: the choice lasts until the page reloads at most
  }
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

/**
 * Shows "A conversation needs a person" when the user turned notifications on here and this tab
 * is in the background (in front, the inbox and its badge already say so). One notification per
 * thread at a time: a new one replaces the last. A click brings the tab forward and calls `open`
 * with the thread's inbox address.
 */
export function notifyNeedsPerson(threadId: string | null, open: (href: string) => void) {
  if (readState() !== "on" || document.visibilityState !== "hidden") return;
  // Outside React (called from an event handler): the page's language is on <html lang>.
  const lang = document.documentElement.lang;
  const words = (lang === "es" ? es : lang === "pt-BR" ? ptBR : en).notifications;
  const notification = new Notification(words.title, {
    body: words.body,
    tag: `switchboard-inbox-${threadId ?? "any"}`,
  });
  notification.onclick = () => {
    window.focus();
    const query = threadId ? `?filter=needs_human&thread=${encodeURIComponent(threadId)}` : "?filter=needs_human";
    open(`/inbox${query}`);
    notification.close();
  };
}

/** The inbox's "Enable notifications" switch: asks the browser's permission, remembers the choice. */
export function NotificationToggle() {
  const t = useTranslations("inbox.notifications");
  const state = useSyncExternalStore(subscribe, readState, () => "unsupported" as const);
  if (state === "unsupported") return null;
  if (state === "blocked") {
    return <p className="text-sm text-muted-foreground">{t("blocked")}</p>;
  }
  const enable = async () => {
    const permission = await Notification.requestPermission();
    remember(permission === "granted");
  };
  return state === "on" ? (
    <Button variant="secondary" size="sm" onClick={() => remember(false)}>
      {t("turnOff")}
    </Button>
  ) : (
    <Button variant="secondary" size="sm" onClick={() => void enable()}>
      {t("enable")}
    </Button>
  );
}
