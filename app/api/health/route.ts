import { getCurrentHealth } from "~/server/health/current";

export const dynamic = "force-dynamic";

/** GET /api/health: 200 when db, migrations, worker heartbeat and queues are ok, else 503. */
export async function GET() {
  const health = await getCurrentHealth();
  return Response.json(health, { status: health.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}
