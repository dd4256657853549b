import { z } from "zod";

/**
 * How fast a session may send. Unofficial WhatsApp clients get numbers banned for bursts, so
 * the defaults are conservative: 20 messages a minute at most, a random 0.4–1.5 s pause
 * before each send (no machine-regular rhythm), and at least 4 s between two messages to the
 * same chat. Turn pacing off only for the simulator or benchmarks.
 */
export const ZPacing = z
  .object({
    enabled: z.boolean().default(true),
    messagesPerMinute: z.number().int().min(1).max(600).default(20),
    /** Burst allowance of the token bucket. */
    burst: z.number().int().min(1).max(50).default(3),
    jitterMinMs: z.number().int().min(0).max(60_000).default(400),
    jitterMaxMs: z.number().int().min(0).max(60_000).default(1_500),
    perChatGapMs: z.number().int().min(0).max(600_000).default(4_000),
  })
  .refine((pacing) => pacing.jitterMinMs <= pacing.jitterMaxMs, {
    message: "The shortest pause must not be longer than the longest",
    path: ["jitterMinMs"],
  });
export type TPacing = z.infer<typeof ZPacing>;

/** How the simulator's phone acknowledges what it receives. */
export const ZSimulatorOptions = z.object({
  /** Whether the simulated phones acknowledge at all (benchmarks turn it off to measure sends alone). */
  acks: z.boolean().default(true),
  deliveredAfterMs: z.number().int().min(0).max(60_000).default(700),
  readAfterMs: z.number().int().min(0).max(600_000).default(2_000),
});

/** A WhatsApp number's presence: "typing…" while the bot prepares a reply. */
export const ZPresence = z.object({
  typing: z.boolean().default(true),
  /** Cleared after this long when no reply comes. */
  typingMaxMs: z.number().int().min(1_000).max(60_000).default(25_000),
});

/**
 * How much a number may send in campaigns (server/campaigns/health.ts). Unofficial numbers are
 * banned for sudden volume: a new one warms up (its daily cap grows day by day from `warmUpFrom`),
 * an established one has `dailyCap`; a campaign pauses itself when the number's health falls
 * below `pauseBelow`.
 */
export const ZOutreach = z.object({
  /** Campaign messages a day once warmed up (the org's days); null: no cap. */
  dailyCap: z.number().int().min(1).max(1_000_000).nullable().default(null),
  /** The warm-up's first day (YYYY-MM-DD, the org's time zone); null: no warm-up (an established number). */
  warmUpFrom: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "A date like 2026-12-31")
    .nullable()
    .default(null),
  /** Its campaigns pause when its health score (0–100) falls below this; 0: never. */
  pauseBelow: z.number().int().min(0).max(100).default(50),
});
export type TOutreach = z.infer<typeof ZOutreach>;

export const ZSessionSettings = z.object({
  pacing: ZPacing.default(ZPacing.parse({})),
  simulator: ZSimulatorOptions.default(ZSimulatorOptions.parse({})),
  presence: ZPresence.default(ZPresence.parse({})),
  outreach: ZOutreach.default(ZOutreach.parse({})),
});
export type TSessionSettings = z.infer<typeof ZSessionSettings>;

/** Reads stored settings; a part that does not validate falls back to its defaults alone. */
export function readSessionSettings(stored: unknown): TSessionSettings {
  const record = stored && typeof stored === "object" ? (stored as Record<string, unknown>) : {};
  const pacing = ZPacing.safeParse(record.pacing ?? {});
  const simulator = ZSimulatorOptions.safeParse(record.simulator ?? {});
  const presence = ZPresence.safeParse(record.presence ?? {});
  const outreach = ZOutreach.safeParse(record.outreach ?? {});
  return {
    pacing: pacing.success ? pacing.data : ZPacing.parse({}),
    simulator: simulator.success ? simulator.data : ZSimulatorOptions.parse({}),
    presence: presence.success ? presence.data : ZPresence.parse({}),
    outreach: outreach.success ? outreach.data : ZOutreach.parse({}),
  };
}
