import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { appRouter } from "~/server/api/root";
import type { TTRPCContext } from "~/server/api/trpc";

export type TTrpcHttpAnswer = {
  /** The HTTP status the browser would see. */
  status: number;
  /** The tRPC error code (`BAD_REQUEST`, `INTERNAL_SERVER_ERROR`…), or null on success. */
  code: string | null;
  message: string | null;
  fieldErrors: Record<string, string> | undefined;
  data: unknown;
};

/**
 * Calls procedures the way the browser does: an HTTP request through tRPC's fetch adapter (the
 * one `app/api/trpc` uses) with the app router and its error formatter, so the status seen is
 * the real one. `input` is sent as superjson's `{ json, meta }`; pass `{ raw: … }` to send a
 * body exactly as given (hostile meta, bytes that are not JSON).
 */
export function trpcHttpClient(context: () => TTRPCContext | Promise<TTRPCContext>) {
  return async (
    type: "query" | "mutation",
    path: string,
    input: unknown,
    options: { raw?: string } = {},
  ): Promise<TTrpcHttpAnswer> => {
    const serialised = options.raw ?? JSON.stringify(input === undefined ? undefined : superjson.serialize(input));
    const base = `http://localhost/api/trpc/${path}`;
    const request =
      type === "query"
        ? new Request(serialised === undefined ? base : `${base}?input=${encodeURIComponent(serialised)}`)
        : new Request(base, {
            method: "POST",
            headers: { "content-type": "application/json" },
            ...(serialised === undefined ? {} : { body: serialised }),
          });
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: context,
    });
    const text = await response.text();
    let body: {
      result?: { data?: unknown };
      error?: { json?: { message?: string; data?: { code?: string; fieldErrors?: Record<string, string> } } };
    };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return {
        status: response.status,
        code: "NOT_JSON",
        message: text.slice(0, 200),
        fieldErrors: undefined,
        data: null,
      };
    }
    const error = body.error?.json;
    return {
      status: response.status,
      code: error ? (error.data?.code ?? "UNKNOWN") : null,
      message: error?.message ?? null,
      fieldErrors: error?.data?.fieldErrors,
      data: body.result?.data,
    };
  };
}
