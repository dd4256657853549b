"use client";

import { useLocale, useTranslations } from "next-intl";
import { type ReactNode, useId, useState } from "react";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";

/**
 * A copy button for a text. Without the Clipboard API (a plain-http address that is not
 * localhost), it selects the text of the input `selectId` so Ctrl+C copies it.
 */
export function CopyButton({ text, label, selectId }: { text: string; label?: string; selectId?: string }) {
  const t = useTranslations("api.secret");
  const [state, setState] = useState<"idle" | "copied" | "manual">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      const input = selectId ? document.getElementById(selectId) : null;
      if (input instanceof HTMLInputElement) input.select();
      setState("manual");
    }
  }
  return (
    <>
      <Button size="sm" variant="secondary" className="shrink-0" onClick={() => void copy()}>
        {state === "copied" ? t("copied") : (label ?? t("copy"))}
      </Button>
      <span aria-live="polite" className="sr-only">
        {state === "copied" ? t("copiedLive") : state === "manual" ? t("selected") : ""}
      </span>
    </>
  );
}

/**
 * A secret shown once (a webhook signing secret, an API key): read-only text with a copy
 * button and a plain warning that it cannot be shown again. The caller forgets it on "Done".
 */
export function OneTimeSecret({
  title,
  label,
  secret,
  keptAs,
  children,
  onDone,
}: {
  title: string;
  /** The field's label ("Signing secret", "API key"). */
  label: string;
  secret: string;
  /** What Switchboard keeps instead: "a hash of it". */
  keptAs: string;
  /** What to do with it: rotation overlap, a curl example… */
  children?: ReactNode;
  onDone: () => void;
}) {
  const id = useId();
  const t = useTranslations("api.secret");
  const locale = useLocale();
  // "Signing secret" → "Copy signing secret"; "API key" keeps its capitals.
  const lowered = /^\p{Lu}\p{Ll}/u.test(label) ? label.charAt(0).toLocaleLowerCase(locale) + label.slice(1) : label;
  return (
    <section
      aria-labelledby={`${id}-title`}
      className="rounded-lg border border-warning/50 bg-warning/10 p-4 text-sm"
      data-testid="one-time-secret"
    >
      <h2 id={`${id}-title`} className="font-semibold">
        {title}
      </h2>
      <p className="mt-1">{t.rich("warning", { keptAs, strong: (chunks) => <strong>{chunks}</strong> })}</p>
      <label htmlFor={`${id}-value`} className="mt-3 block font-medium">
        {label}
      </label>
      <div className="mt-1 flex min-w-0 gap-2">
        <Input
          id={`${id}-value`}
          readOnly
          value={secret}
          className="min-w-0 font-mono"
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton text={secret} label={t("copyLabel", { label: lowered })} selectId={`${id}-value`} />
      </div>
      {children ? <div className="mt-3 flex flex-col gap-2">{children}</div> : null}
      <Button size="sm" className="mt-3" onClick={onDone}>
        {t("done")}
      </Button>
    </section>
  );
}
