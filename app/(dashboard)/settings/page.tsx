import { SettingsForm } from "~/components/settings/settings-form";
import { NoAccess } from "~/components/shell/not-yet-built";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";
import { canAccess } from "~/server/auth/roles";

export const metadata = { title: "Settings" };

export default async function SettingsPage() {
  const { user, allowed } = await requirePageUser("users");
  if (!allowed) return <NoAccess title="Settings" />;
  return (
    <>
      <PageHeader title="Settings" description="Organisation-wide settings used by rules, contacts and analytics." />
      <SettingsForm canWrite={canAccess(user.role, "users", "write")} />
    </>
  );
}
