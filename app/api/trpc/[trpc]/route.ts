import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createTRPCContext } from "~/server/api/context";
import { appRouter } from "~/server/api/root";
import { webLogger } from "~/server/logger";
import { refuseCrossSiteRequest, refuseNonJsonBody } from "~/server/security/same-origin";

const log = webLogger("trpc");

/** tRPC over HTTP: GET for queries, POST (JSON only) for mutations and batches; our own pages only. */
async function handler(req: Request) {
  const refused = refuseCrossSiteRequest(req) ?? refuseNonJsonBody(req);
  if (refused) return refused;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: createTRPCContext,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") log.error({ err: error.cause ?? error, path }, "procedure failed");
    },
  });
}

export { handler as GET, handler as POST };
