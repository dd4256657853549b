import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { admitApiCaller } from "~/server/rest/handler";
import { createMcpServer, type TMcpDeps } from "./server";

export type TMcpRequestDeps = TMcpDeps & {
  /** Requests per key per minute: the REST API's limit, counted in the same windows. */
  ratePerMinute: number;
};

/** The largest JSON-RPC body taken (a send's text is at most 4,096 characters). */
const MAX_BODY_BYTES = 1_000_000;

/**
 * `/api/mcp`: the Model Context Protocol over Streamable HTTP, stateless (one server and one
 * transport per request, JSON answers rather than event streams). The caller is admitted as
 * the REST API admits it (`admitApiCaller`: its API key, counted against the same per-key rate
 * limit; 401 / 429 as JSON before any MCP is read); each tool then checks the key's scopes.
 * GET and DELETE answer 405: there is no stream to resume and no session to end.
 */
export async function handleMcpRequest(request: Request, deps: TMcpRequestDeps): Promise<Response> {
  // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE).
  if (request.method !== "POST") {
    return new Response(
      JSON.stringify({
        jsonrpc: "2.0",
        error: { code: -32000, message: "Method not allowed: send MCP requests as POST." },
        id: null,
      }),
      { status: 405, headers: { allow: "POST", "content-type": "application/json", "cache-control": "no-store" } },
    );
  }
  const admitted = await admitApiCaller(deps.db, request, deps.ratePerMinute);
  if (admitted instanceof Response) return admitted;
  // One message per request: a JSON-RPC batch (up to 100 calls, run at once) would count as one
  // request against the key's rate limit. MCP 2025-06-18 dropped batches.
  if (await isJsonArray(request)) {
    return new Response(
      JSON.stringify({
        jsonrpc: "2.0",
        error: { code: -32600, message: "Batches are not accepted: send one JSON-RPC message per request." },
        id: null,
      }),
      { status: 400, headers: { "content-type": "application/json", "cache-control": "no-store" } },
    );
  }
  const server = createMcpServer(deps, admitted);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: MAX_BODY_BYTES,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, {
      authInfo: { token: "", clientId: admitted.keyId, scopes: admitted.scopes, extra: { name: admitted.name } },
    });
  } finally {
    await server.close();
  }
}

/** Whether the body is a JSON array: its first byte that is not white space is `[` (read from a copy; the rest is not read). */
async function isJsonArray(request: Request): Promise<boolean> {
  const body = request.clone().body;
  if (!body) return false;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      for (const byte of value) {
        // Space, tab, line feed, carriage return: JSON's white space.
        if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
        return byte === 0x5b;
      }
    }
  } finally {
    // Not awaited: a tee's branch settles its cancel only once the other branch (the request the
    // transport reads) is done too.
    reader.cancel().catch(() => undefined);
  }
}
