import type { ReactNode } from "react";
import { AppShell } from "~/components/shell/app-shell";
import { requestTheme } from "~/components/shell/request-theme";
import { requirePageUser } from "~/server/auth/page-access";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { user } = await requirePageUser();
  return (
    <AppShell user={user} theme={await requestTheme()}>
      {children}
    </AppShell>
  );
}
