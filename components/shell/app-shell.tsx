import Link from "next/link";
import type { ReactNode } from "react";
import { canAccess, PAGES, type TSessionUser } from "~/server/auth/roles";
import { Badge } from "~/components/ui/badge";
import { InboxNavBadge } from "./inbox-nav-badge";
import { NavLink } from "./nav-link";
import { SignOutButton } from "./sign-out-button";

/** The dashboard frame: navigation to every page the user's role may open, and who is signed in. */
export function AppShell({ user, children }: { user: TSessionUser; children: ReactNode }) {
  const pages = PAGES.filter((page) => canAccess(user.role, page.resource, "read"));
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-56 shrink-0 flex-col border-r border-border bg-card">
        <div className="px-4 py-4 text-lg font-semibold tracking-tight">
          <span className="text-primary">●</span> Switchboard
        </div>
        <nav aria-label="Main" className="flex-1 space-y-0.5 px-2">
          {pages.map((page) => (
            <NavLink
              key={page.href}
              href={page.href}
              label={page.label}
              badge={page.href === "/inbox" ? <InboxNavBadge /> : undefined}
            />
          ))}
        </nav>
        <div className="border-t border-border p-3 text-sm">
          <Link
            href="/account"
            className="block truncate font-medium hover:underline"
            data-testid="current-user"
            title="Your account: two-factor sign-in and sessions"
          >
            {user.name}
          </Link>
          <div className="truncate text-xs text-muted-foreground">{user.email}</div>
          <div className="mt-2 flex items-center justify-between">
            <Badge tone="primary">{user.role}</Badge>
            <SignOutButton />
          </div>
        </div>
      </aside>
      <main className="min-w-0 flex-1 p-6 lg:p-8">{children}</main>
    </div>
  );
}
