import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "~/server/api/root";

/** The message and per-field messages of a failed call, for forms. */
export function describeError(error: unknown): { message: string; fieldErrors: Record<string, string> } {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data as { fieldErrors?: Record<string, string> } | undefined;
    return { message: error.message, fieldErrors: data?.fieldErrors ?? {} };
  }
  return { message: error instanceof Error ? error.message : "Something went wrong.", fieldErrors: {} };
}
