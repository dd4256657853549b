/**
 * The image's health check (Dockerfile HEALTHCHECK, compose.yaml), in plain JavaScript so it
 * starts fast on the image's node without tsx.
 *   web:    GET http://127.0.0.1:$PORT/api/health must answer 200 (database, migrations, a live
 *           worker, queues).
 *   worker: this container's worker (its hostname) has a heartbeat younger than
 *           WORKER_HEARTBEAT_MAX_AGE_S (30 s) in DATABASE_URL and has not stopped.
 * Exit 0 healthy, 1 not, with one line saying why.
 */
import os from "node:os";

// The checker reads the same variables the processes do; it has no env module of its own.
// eslint-disable-next-line no-restricted-properties
const env = process.env;
const mode = process.argv[2] ?? "web";
const TIMEOUT_MS = 4_000;

function done(ok, message) {
  process.stdout.write(`${ok ? "healthy" : "unhealthy"}: ${message}\n`);
  process.exit(ok ? 0 : 1);
}

async function checkWeb() {
  const url = `http://127.0.0.1:${env.PORT ?? "3000"}/api/health`;
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  done(response.status === 200, `${url} answered ${response.status}`);
}

async function checkWorker() {
  const { default: pg } = await import("pg");
  const maxAgeS = Number(env.WORKER_HEARTBEAT_MAX_AGE_S ?? "30");
  const client = new pg.Client({
    connectionString: env.DATABASE_URL,
    connectionTimeoutMillis: TIMEOUT_MS,
    application_name: "switchboard-healthcheck",
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select extract(epoch from now() - beat_at)::float8 as age_s from worker_heartbeats
        where hostname = $1 and stopped_at is null order by beat_at desc limit 1`,
      [os.hostname()],
    );
    const ageS = rows[0]?.age_s;
    if (ageS === undefined) done(false, `no heartbeat from ${os.hostname()}`);
    done(ageS <= maxAgeS, `last heartbeat ${Math.round(ageS)} s ago (at most ${maxAgeS} s)`);
  } finally {
    await client.end();
  }
}

try {
  if (mode === "web") await checkWeb();
  else if (mode === "worker") await checkWorker();
  else done(false, `unknown mode ${mode} (web or worker)`);
} catch (error) {
  done(false, error instanceof Error ? error.message : String(error));
}
