/**
 * Client-safe: the sign-in answers the login form must recognise, not only show. next-auth hands
 * an error from `authorize` to the browser as its message alone, so the message is the signal.
 */

/** The password was right and the account has two-factor sign-in: the form asks for a code next. */
export const SECOND_FACTOR_REQUIRED = "Enter the 6-digit code from your authenticator app, or a recovery code.";

/** What the form says when next-auth gives no message of ours (a plain credentials failure). */
export const WRONG_EMAIL_OR_PASSWORD = "Wrong email or password.";

/**
 * What the sign-in page says for an error next-auth sends there (`/login?error=…`): its own
 * codes, in words. Unknown codes get the general line; nothing from the URL is shown as is.
 */
export function describeAuthError(code: string | undefined): string | null {
  if (!code) return null;
  switch (code) {
    case "CredentialsSignin":
      return WRONG_EMAIL_OR_PASSWORD;
    case "SessionRequired":
      return "Sign in to see that page.";
    case "Configuration":
      return "Sign-in is not set up correctly on this server; its log says why.";
    default:
      return "Signing in did not work; please try again.";
  }
}
