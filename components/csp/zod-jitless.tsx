"use client";

import { z } from "zod";

// Zod 4 tries `new Function` once to see whether it may compile parsers; under our CSP (no
// 'unsafe-eval') the browser blocks that and reports a violation. Tell it not to try. Only in
// the browser: on the server the compiled parsers are faster and nothing forbids them.
if (typeof window !== "undefined") z.config({ jitless: true });

/**
 * Rendered once by the root layout so that the line above runs in the browser before any form
 * validates: it draws nothing.
 */
export function ZodJitless() {
  return null;
}
