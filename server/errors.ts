/** Error codes domain functions may raise; the tRPC layer maps each to the same-named code. */
export type TAppErrorCode =
  "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "TOO_MANY_REQUESTS";

/**
 * The one error type domain code throws for expected failures. The message is shown to the
 * user as is; `fieldErrors` point at form fields.
 */
export class AppError extends Error {
  constructor(
    readonly code: TAppErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/**
 * Whether a database error is a unique-constraint violation (SQLSTATE 23505). drizzle wraps the
 * driver's error, so the code is on the error or on its cause.
 */
export function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause ?? error;
  return (cause as { code?: string }).code === "23505" || (error as { code?: string }).code === "23505";
}
