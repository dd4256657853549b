"use client";

import { Button } from "~/components/ui/button";
import "./globals.css";

/**
 * What a page shows when it fails to render (the database is down, a bug). Our own rather than
 * Next's built-in page, whose inline <style> carries no CSP nonce and is blocked (proxy.ts sets
 * the CSP). It replaces the root layout, so it brings its own <html> and stylesheet.
 */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans antialiased">
        <main className="flex min-h-screen items-center justify-center p-6">
          <div className="w-full max-w-sm">
            <h1 className="mb-1 text-2xl font-semibold tracking-tight">Something went wrong</h1>
            <p className="mb-6 text-sm text-muted-foreground">
              This page could not be shown. Try again in a moment; if it keeps failing, the server log has the details
              {error.digest ? ` (reference ${error.digest})` : ""}.
            </p>
            <Button onClick={reset}>Try again</Button>
          </div>
        </main>
      </body>
    </html>
  );
}
