import { webEnv } from "~/server/env";
import { webLogger } from "~/server/logger";
import { metrics } from "~/server/metrics/metrics";
import { EventHub } from "./hub";

const globalForHub = globalThis as unknown as { switchboardEventHub?: EventHub };

/** The web process's event hub (one LISTEN connection), created on first use. */
export function getEventHub(): EventHub {
  if (!globalForHub.switchboardEventHub) {
    const hub = new EventHub(webEnv().DATABASE_URL, webLogger("events"));
    metrics.watchSseClients(() => hub.listenerCount);
    globalForHub.switchboardEventHub = hub;
  }
  return globalForHub.switchboardEventHub;
}
