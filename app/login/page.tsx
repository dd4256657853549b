import { redirect } from "next/navigation";
import { LoginForm } from "~/components/auth/login-form";
import { safeCallbackPath } from "~/server/auth/callback-url";
import { describeAuthError } from "~/server/auth/sign-in-messages";
import { getCurrentSession } from "~/server/auth/session";

export const metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string }>;
}) {
  // Signed in already (or only the two-factor set-up left, which "/" sends them to).
  if (await getCurrentSession()) redirect("/");
  const { callbackUrl, error } = await searchParams;
  const target = safeCallbackPath(callbackUrl);
  return (
    <div className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-2xl font-semibold tracking-tight">
          <span className="text-primary">●</span> Switchboard
        </h1>
        <p className="mb-6 text-sm text-muted-foreground">Sign in to manage your WhatsApp bots.</p>
        <LoginForm callbackUrl={target} initialError={describeAuthError(error)} />
      </div>
    </div>
  );
}
