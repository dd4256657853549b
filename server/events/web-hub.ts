import { webEnv } from "~/server/env";
import { webLogger } from "~/server/logger";
import { EventHub } from "./hub";

const globalForHub = globalThis as unknown as { switchboardEventHub?: EventHub };

/** The web process's event hub (one LISTEN connection), created on first use. */
export function getEventHub(): EventHub {
  globalForHub.switchboardEventHub ??= new EventHub(webEnv().DATABASE_URL, webLogger("events"));
  return globalForHub.switchboardEventHub;
}
