"use client";

import { useEffect, useId, useRef } from "react";

/**
 * A `<dialog>` shown modal as soon as it mounts (the browser traps focus, closes it on Escape and
 * gives focus back after), with an id for its title (`aria-labelledby`) and `close()`, which
 * ends in the dialog's `onClose`. Render the dialog only while it should be open.
 */
export function useModalDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const element = ref.current;
    if (element && !element.open) element.showModal();
  }, []);
  return { ref, titleId, close: () => ref.current?.close() };
}
