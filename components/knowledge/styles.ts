/** A multi-line text field, styled like `Input`. */
export const TEXTAREA =
  "min-h-32 w-full rounded-md border border-border bg-card px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-primary";
