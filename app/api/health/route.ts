import { getCurrentHealth } from "~/server/health/current";
import { toPublicHealth } from "~/server/health/health";

export const dynamic = "force-dynamic";

/** GET /api/health: 200 when db, migrations, worker heartbeat and queues are ok, else 503. Public: no worker ids or session names. */
export async function GET() {
  const health = await getCurrentHealth();
  return Response.json(toPublicHealth(health), {
    status: health.ok ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
