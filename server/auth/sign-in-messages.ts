/**
 * Client-safe: the sign-in answers the login form must recognise, not only show. next-auth hands
 * an error from `authorize` to the browser as its message alone, so the message is the signal.
 */

/** The password was right and the account has two-factor sign-in: the form asks for a code next. */
export const SECOND_FACTOR_REQUIRED = "Enter the 6-digit code from your authenticator app, or a recovery code.";

/** What the form says when next-auth gives no message of ours (a plain credentials failure). */
export const WRONG_EMAIL_OR_PASSWORD = "Wrong email or password.";

/** The sign-in page's words for an error next-auth sends there: `auth.login.errors.<key>`. */
export type TAuthErrorKey = "wrongEmailOrPassword" | "sessionRequired" | "configuration" | "failed";

/**
 * What the sign-in page says for an error next-auth sends there (`/login?error=…`): its own
 * codes, as a key of the catalogue. Unknown codes get the general line; nothing from the URL is
 * shown as is.
 */
export function authErrorKey(code: string | undefined): TAuthErrorKey | null {
  if (!code) return null;
  switch (code) {
    case "CredentialsSignin":
      return "wrongEmailOrPassword";
    case "SessionRequired":
      return "sessionRequired";
    case "Configuration":
      return "configuration";
    default:
      return "failed";
  }
}
