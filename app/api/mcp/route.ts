import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { getEventHub } from "~/server/events/web-hub";
import { getWebBoss } from "~/server/jobs/web-boss";
import { webLogger } from "~/server/logger";
import { handleMcpRequest } from "~/server/mcp/handler";
import { presenceFeedOf } from "~/server/mcp/presence";

export const dynamic = "force-dynamic";

const log = webLogger("mcp");

/**
 * The MCP server (server/mcp, docs/mcp.md): Streamable HTTP, stateless, authenticated by the
 * REST API's keys. It goes through the page proxy like other API routes (its bodies are small
 * JSON-RPC messages), which sets the security headers.
 */
function handle(request: Request) {
  return handleMcpRequest(request, {
    db: getDb(),
    boss: getWebBoss,
    log,
    ratePerMinute: webEnv().API_RATE_LIMIT_PER_MINUTE,
    presence: presenceFeedOf(getEventHub()),
  });
}

export { handle as GET, handle as POST, handle as DELETE };
