import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { NextIntlClientProvider } from "next-intl";
import { getLocale } from "next-intl/server";
import { BRAND } from "~/components/brand";
import { ZodJitless } from "~/components/csp/zod-jitless";
import { requestTheme } from "~/components/shell/request-theme";
import { TRPCReactProvider } from "~/components/trpc/client";
import "./globals.css";

// Every page renders per request, so Next can put the request's CSP nonce (proxy.ts) on its
// scripts; a page prerendered at build time would carry none and its scripts would be blocked.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: BRAND.name, template: `%s · ${BRAND.name}` },
  description: BRAND.description,
  applicationName: BRAND.name,
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "16x16 32x32 48x48" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: [{ url: "/apple-touch-icon.png", sizes: "180x180", type: "image/png" }],
  },
};

export const viewport: Viewport = { themeColor: BRAND.themeColor };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The language, catalogue, time zone and formats of server/i18n/request.ts, passed on to client components.
  const locale = await getLocale();
  return (
    <html lang={locale} data-theme={await requestTheme()}>
      <body className="min-h-screen font-sans antialiased">
        <ZodJitless />
        <NextIntlClientProvider>
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
