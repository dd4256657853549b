import Link from "next/link";

export const metadata = { title: "Not found" };

/**
 * Any unknown address. Our own rather than Next's built-in page, whose inline <style> carries
 * no CSP nonce and is blocked (proxy.ts sets the CSP).
 */
export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-2xl font-semibold tracking-tight">Page not found</h1>
        <p className="mb-6 text-sm text-muted-foreground">There is nothing at this address.</p>
        <Link href="/" className="text-sm font-medium text-primary underline underline-offset-4">
          Back to Switchboard
        </Link>
      </div>
    </main>
  );
}
