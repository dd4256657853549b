import { SessionsCard } from "~/components/auth/sessions-card";
import { TwoFactorCard } from "~/components/auth/two-factor";
import { PageHeader } from "~/components/ui/page-header";
import { requirePageUser } from "~/server/auth/page-access";

export const metadata = { title: "Your account" };

export default async function AccountPage() {
  const { user } = await requirePageUser();
  return (
    <>
      <PageHeader title="Your account" description={`Signed in as ${user.email} (${user.role}).`} />
      <div className="space-y-6">
        <TwoFactorCard />
        <SessionsCard />
      </div>
    </>
  );
}
