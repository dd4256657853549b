import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { canAccess, PAGES, type TSessionUser } from "~/server/auth/roles";
import { AvailabilityControl, AvailabilityLive } from "~/components/teams/availability";
import { Badge } from "~/components/ui/badge";
import { NotificationBell } from "~/components/inbox/notification-bell";
import { InboxNavBadge } from "./inbox-nav-badge";
import { MobileNav } from "./mobile-nav";
import { NavLink } from "./nav-link";
import { SignOutButton } from "./sign-out-button";
import type { TTheme } from "./theme";
import { ThemeSwitch } from "./theme-switch";

/**
 * The dashboard frame: a skip link, navigation to every page the user's role may open (a sidebar
 * from `md` up, a menu behind a button on phones), who is signed in, the theme, and the page as
 * the `main` landmark.
 */
export async function AppShell({ user, theme, children }: { user: TSessionUser; theme: TTheme; children: ReactNode }) {
  const t = await getTranslations("shell");
  const pages = PAGES.filter((page) => canAccess(user.role, page.resource, "read"));
  const canInbox = canAccess(user.role, "inbox", "read");
  const canAnswer = canAccess(user.role, "inbox", "write");
  const brand = (
    <span className="text-lg font-semibold tracking-tight">
      <span className="text-primary" aria-hidden="true">
        ●
      </span>{" "}
      Switchboard
    </span>
  );
  const navigation = (notify: boolean) => (
    <>
      <nav aria-label={t("mainNavigation")} className="flex-1 space-y-0.5 px-2 py-2">
        {pages.map((page) => (
          <NavLink
            key={page.href}
            href={page.href}
            label={t(`nav.${page.key}`)}
            badge={page.href === "/inbox" ? <InboxNavBadge notify={notify} /> : undefined}
          />
        ))}
      </nav>
      <div className="space-y-2 border-t border-border p-3 text-sm">
        <Link
          href="/account"
          className="block truncate font-medium hover:underline"
          data-testid="current-user"
          title={t("accountTitle")}
        >
          {user.name}
        </Link>
        <div className="truncate text-xs text-muted-foreground">{user.email}</div>
        {canAnswer ? <AvailabilityControl userId={user.id} /> : null}
        <ThemeSwitch initial={theme} />
        <div className="flex items-center justify-between">
          <Badge tone="primary">{t(`role.${user.role}`)}</Badge>
          <SignOutButton />
        </div>
      </div>
    </>
  );
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-primary px-3 py-2 text-primary-foreground focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        {t("skipToContent")}
      </a>
      {canInbox ? <AvailabilityLive userId={user.id} canBeat={canAnswer} /> : null}
      <MobileNav
        brand={
          <Link href="/" className="block truncate">
            {brand}
          </Link>
        }
        badge={
          canInbox ? (
            <span className="flex items-center gap-1">
              <NotificationBell />
              <Link href="/inbox" aria-label={t("nav.inbox")} className="flex items-center">
                <InboxNavBadge notify={false} />
              </Link>
            </span>
          ) : undefined
        }
      >
        {navigation(false)}
      </MobileNav>
      <aside className="hidden w-56 shrink-0 flex-col border-r border-border bg-card md:flex">
        <div className="flex items-center justify-between gap-2 px-4 py-4">
          {brand}
          {canInbox ? <NotificationBell /> : null}
        </div>
        {navigation(true)}
      </aside>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 outline-none sm:p-6 lg:p-8">
        {children}
      </main>
    </div>
  );
}
