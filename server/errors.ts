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
