/**
 * Client-safe: the sign-in answers the login form must recognise, not only show. next-auth hands
 * an error from `authorize` to the browser as its message alone, so the message is the signal.
 */

/** The password was right and the account has two-factor sign-in: the form asks for a code next. */
export const SECOND_FACTOR_REQUIRED = "Enter the 6-digit code from your authenticator app, or a recovery code.";

/** What the form says when next-auth gives no message of ours (a plain credentials failure). */
export const WRONG_EMAIL_OR_PASSWORD = "Wrong email or password.";
