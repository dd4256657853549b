import { randomUUID } from "node:crypto";
import { createDb } from "~/db/client";
import { createBoss } from "~/server/jobs/boss";
import { createLogger } from "~/server/logger";
import { createInboundIngestor } from "~/server/messaging/ingest";
import { getSimulatorSessionId } from "~/server/sessions/sessions";
import { prepareDatabase } from "~/server/setup/prepare-database";

const url = process.env.DATABASE_URL!;
const { db, pool } = createDb(url, { max: 20 });
await prepareDatabase({ pool, db, url, admin: { ADMIN_NAME: "B", ADMIN_PASSWORD: "bench-password-1" } }, createLogger("x", "warn"));
const sessionId = await getSimulatorSessionId(db);
const { updateSessionSettings } = await import("~/server/sessions/sessions");
await updateSessionSettings(db, null, sessionId, { pacing: { enabled: false }, simulator: { acks: false } });
const boss = createBoss(url, "web");
await boss.start();
const ingestor = createInboundIngestor(db, boss, { parallel: Number(process.env.PAR ?? 2) });
let seq = 0;
const started = Date.now();
const count = Number(process.env.COUNT ?? 3000);
await Promise.all(Array.from({ length: 10 }, async () => {
  while (seq < count) {
    seq += 1;
    await ingestor.ingest({ sessionId, waMessageId: `x-${randomUUID()}`, from: `+1555${String(3_000_000 + (seq % 500)).padStart(7, "0")}`, body: `m ${seq}` });
  }
}));
console.log("ingest only", count / ((Date.now() - started) / 1000), "msgs/s");
await boss.stop({ close: true });
await pool.end();
