"use client";

import { type ReactNode, useId, useState } from "react";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";

/**
 * A copy button for a text. Without the Clipboard API (a plain-http address that is not
 * localhost), it selects the text of the input `selectId` so Ctrl+C copies it.
 */
export function CopyButton({ text, label = "Copy", selectId }: { text: string; label?: string; selectId?: string }) {
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
        {state === "copied" ? "Copied" : label}
      </Button>
      <span aria-live="polite" className="sr-only">
        {state === "copied" ? "Copied to the clipboard." : state === "manual" ? "Selected: press Ctrl+C to copy." : ""}
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
  return (
    <section
      aria-labelledby={`${id}-title`}
      className="rounded-lg border border-warning/50 bg-warning/10 p-4 text-sm"
      data-testid="one-time-secret"
    >
      <h2 id={`${id}-title`} className="font-semibold">
        {title}
      </h2>
      <p className="mt-1">
        <strong>Copy it now: you won’t see it again.</strong> Switchboard keeps only {keptAs}.
      </p>
      <label htmlFor={`${id}-value`} className="mt-3 block font-medium">
        {label}
      </label>
      <div className="mt-1 flex gap-2">
        <Input
          id={`${id}-value`}
          readOnly
          value={secret}
          className="font-mono"
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton
          text={secret}
          label={`Copy ${label.replace(/^[A-Z][a-z]/, (first) => first.toLowerCase())}`}
          selectId={`${id}-value`}
        />
      </div>
      {children ? <div className="mt-3 flex flex-col gap-2">{children}</div> : null}
      <Button size="sm" className="mt-3" onClick={onDone}>
        I have copied it
      </Button>
    </section>
  );
}
