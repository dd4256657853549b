import { parseEnv } from "~/server/env";
import type { TEngineDescriptor } from "~/server/sessions/engine-capabilities";
import { baileysEngine } from "./baileys";
import { cloudEngine } from "./cloud";
import { simulatorEngine } from "./simulator";
import type { TEngineCommonEnv, TEngineConnection, TEngineContext } from "./types";
import { wwebjsEngine } from "./wwebjs";

/**
 * Every engine the worker knows, one entry each, keyed by its kind. Adding an engine is its
 * folder under workers/engines/ and one line here: the worker then reads its environment,
 * publishes its descriptor for the web (`wa_engines`) and runs the sessions of its kind.
 */
export const ENGINES = {
  simulator: simulatorEngine,
  wwebjs: wwebjsEngine,
  cloud: cloudEngine,
  baileys: baileysEngine,
};

export type TEngineKind = keyof typeof ENGINES;
type TOptionsOf<E> = E extends { connect: (context: TEngineContext, options: infer O) => TEngineConnection }
  ? O
  : never;
/** Each engine's options, by kind (tests give them directly; `engineOptionsFromEnv` reads them). */
export type TEngineOptions = { [K in TEngineKind]?: TOptionsOf<(typeof ENGINES)[K]> };

/** Any engine, its options type forgotten (the registry pairs each with its own options). */
type TAnyEngine = {
  descriptor: TEngineDescriptor;
  env?: { schema: Parameters<typeof parseEnv>[0]; options: (env: never, common: TEngineCommonEnv) => unknown };
  connect: (context: TEngineContext, options: never) => TEngineConnection;
};

/** An engine this worker runs: its descriptor, and a factory with its options bound. */
export type TRunnableEngine = {
  descriptor: TEngineDescriptor;
  connect: (context: TEngineContext) => TEngineConnection;
};

function entries(): [TEngineKind, TAnyEngine][] {
  return Object.entries(ENGINES) as [TEngineKind, TAnyEngine][];
}

/**
 * Each engine's options from the environment: engines without variables run as they are, the
 * others when their `env` says so. Invalid variables throw a ConfigError naming them.
 */
export function engineOptionsFromEnv(
  source: Record<string, string | undefined>,
  common: TEngineCommonEnv,
): TEngineOptions {
  const options: Record<string, unknown> = {};
  for (const [kind, engine] of entries()) {
    if (!engine.env) continue;
    const parsed: unknown = parseEnv(engine.env.schema, source);
    const own = engine.env.options(parsed as never, common);
    if (own !== null) options[kind] = own;
  }
  return options;
}

/**
 * The engines a worker runs given these options: those with options, and those that need
 * none (an engine with `env` and no options is not run: its sessions wait for a worker that has them).
 */
export function runnableEngines(options: TEngineOptions): Map<string, TRunnableEngine> {
  const runnable = new Map<string, TRunnableEngine>();
  for (const [kind, engine] of entries()) {
    const own = options[kind] ?? (engine.env ? undefined : {});
    if (own === undefined) continue;
    runnable.set(kind, {
      descriptor: engine.descriptor,
      connect: (context) => engine.connect(context, own as never),
    });
  }
  return runnable;
}
