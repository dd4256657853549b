import { z } from "zod";
import { ZMessageContent } from "~/server/messages/content";

/** Retry, expiry and retention of one queue (a subset of pg-boss's queue options). */
export type TQueuePolicy = {
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
  retryDelayMax?: number;
  expireInSeconds: number;
  retentionSeconds?: number;
  /** Active jobs must be touched this often (pg-boss does it while the handler runs); a killed worker's jobs are retried after it. */
  heartbeatSeconds?: number;
};

export type TQueueDeclaration<TPayload extends z.ZodType = z.ZodType> = {
  /** Validated on enqueue and again by the handler. */
  payload: TPayload;
  policy: TQueuePolicy;
  /** Cron expression (UTC) on which the worker enqueues the job by itself. */
  cron?: string;
  /** Jobs of this queue one worker runs at once (for a batch handler: batches at once). */
  concurrency?: number;
  /** Jobs fetched per batch, for a queue handled a batch at a time. */
  batchSize?: number;
  description: string;
};

function declareQueue<TPayload extends z.ZodType>(declaration: TQueueDeclaration<TPayload>) {
  return declaration;
}

/**
 * A job that moves a conversation's flow (`flow.deadline`, `flow.resume`, `flow.http`): the run
 * and the flow state's token it was made for, so a job the flow has moved past does nothing.
 */
const ZFlowJob = z.object({ threadId: z.uuid(), runId: z.uuid(), token: z.number().int().min(0) });
export type TFlowJob = z.infer<typeof ZFlowJob>;
/** `flow.deadline` and `flow.resume`: retried briskly (a wait's end or a release is due now). */
const FLOW_MOVE_POLICY: TQueuePolicy = {
  retryLimit: 10,
  retryDelay: 2,
  retryBackoff: true,
  retryDelayMax: 60,
  expireInSeconds: 60,
  heartbeatSeconds: 10,
};

/**
 * Every queue of the system, declared once. The worker creates them all on start; `enqueue`
 * type-checks names and payloads against this map. Later issues add the messaging queues.
 */
export const QUEUES = {
  "message.process": declareQueue({
    description: "Decides and queues the bot's reply to one stored inbound message (exactly once per message).",
    // Handled a batch per transaction: three batches at once, up to 50 messages each.
    concurrency: 3,
    batchSize: 50,
    payload: z.object({ messageId: z.uuid() }),
    policy: {
      retryLimit: 5,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 60,
      expireInSeconds: 120,
      heartbeatSeconds: 10,
    },
  }),
  "ai.reply": declareQueue({
    description:
      "Writes an AI reply to one inbound message (a rule's AI reply action) and queues it; the fallback text when the model fails.",
    // Bounded: at most this many model calls at once per worker.
    concurrency: 4,
    payload: z.object({
      messageId: z.uuid(),
      ruleId: z.uuid().nullable(),
      ruleVersion: z.number().int().nullable(),
      profileId: z.uuid().nullable(),
    }),
    policy: {
      retryLimit: 3,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 60,
      expireInSeconds: 120,
      heartbeatSeconds: 10,
    },
  }),
  "ai.evaluate": declareQueue({
    description:
      "Answers a profile's evaluation questions one by one with the real reply path and scores them, writing each result as it comes (server/ai/evaluation.ts).",
    // One run at a time per worker: a run is up to 200 model calls in a row.
    concurrency: 1,
    payload: z.object({ runId: z.uuid() }),
    // A retried job (the worker died) carries on where the run stood.
    policy: { retryLimit: 2, retryDelay: 5, retryBackoff: true, expireInSeconds: 3_600, heartbeatSeconds: 30 },
  }),
  "simulator.inbound": declareQueue({
    description: "A message typed in the Simulator: the simulator transport delivers it to ingest.",
    // Handled a batch per transaction.
    concurrency: 2,
    batchSize: 25,
    payload: z.object({
      sessionId: z.uuid(),
      waMessageId: z.string().min(1).max(200),
      from: z.string().max(100),
      pushName: z.string().max(200).optional(),
      body: z.string().max(70_000),
      /** Any kind of message; without it, `body` is a text. */
      content: ZMessageContent.optional(),
    }),
    policy: {
      retryLimit: 5,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 60,
      expireInSeconds: 60,
      heartbeatSeconds: 10,
    },
  }),
  "simulator.ack": declareQueue({
    description: "The simulator's phone acknowledging a message it received (delivered, then read).",
    concurrency: 2,
    payload: z.object({
      sessionId: z.uuid(),
      waMessageId: z.string().min(1).max(200),
      status: z.enum(["delivered", "read"]),
    }),
    // An ack can overtake the recording of its send: it is retried (every second, for a minute) until it lands.
    policy: { retryLimit: 60, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 },
  }),
  "cloud.webhook": declareQueue({
    description:
      "One notification Meta posted to a Cloud API number's webhook (signature checked by the web): its messages go to ingest, its statuses move the messages sent.",
    concurrency: 4,
    payload: z.object({
      sessionId: z.uuid(),
      /** Meta's JSON as it came (at most WEBHOOK_MAX_BYTES): read by server/cloud/inbound.ts, which trusts none of it. */
      payload: z.unknown(),
    }),
    // A status can overtake the recording of its send: retried, 2 s doubling to a minute, for about 25 minutes.
    policy: {
      retryLimit: 30,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 60,
      expireInSeconds: 120,
      heartbeatSeconds: 10,
    },
  }),
  "maintenance.prune": declareQueue({
    description:
      "Hourly clean-up of rows that only matter for a while: old login attempts and heartbeats of stopped workers.",
    payload: z.object({}).strict(),
    policy: { retryLimit: 2, retryDelay: 60, retryBackoff: true, expireInSeconds: 300 },
    cron: "17 * * * *",
  }),
  "webhook.deliver": declareQueue({
    description:
      "One attempt of one webhook delivery; a failed attempt schedules the next per the Standard Webhooks schedule (a new job).",
    // Deliveries wait on other servers, not on this one: many at once.
    concurrency: 16,
    payload: z.object({ deliveryId: z.uuid(), token: z.uuid() }),
    // pg-boss's own retries only cover a crashed or stuck attempt (same delivery, same webhook-id).
    policy: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 60, heartbeatSeconds: 10 },
  }),
  "analytics.rollup": declareQueue({
    description:
      "Every minute: the hourly analytics rollup for the last complete hours (the current hour is counted live).",
    payload: z.object({}).strict(),
    policy: { retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 300 },
    cron: "* * * * *",
  }),
  "media.transcribe": declareQueue({
    description:
      "Writes out what a stored voice note or audio says (Gemini), keeps the transcript on the message, then queues message.process.",
    // Model calls wait on Google, not on this machine; two at a time keeps them from crowding the pipeline.
    concurrency: 2,
    payload: z.object({ messageId: z.uuid() }),
    policy: {
      retryLimit: 3,
      retryDelay: 5,
      retryBackoff: true,
      retryDelayMax: 60,
      expireInSeconds: 300,
      heartbeatSeconds: 15,
    },
  }),
  "inbox.handback": declareQueue({
    description:
      "Every minute: threads a person owns but has not answered for the minutes set in Settings go back to the bot (off by default).",
    payload: z.object({}).strict(),
    policy: { retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 120 },
    cron: "* * * * *",
  }),
  "inbox.wake": declareQueue({
    description:
      "Every minute: snoozed conversations whose time has come wake (thread.woke, reason time; server/inbox/work.ts).",
    payload: z.object({}).strict(),
    policy: { retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 120 },
    cron: "* * * * *",
  }),
  "media.retention": declareQueue({
    description:
      "Daily: removes media files not used for the days set in Settings → Media (kept forever by default), with their thumbnails, and records what it freed.",
    payload: z.object({}).strict(),
    // A large store takes a while: batches of 500, each file one delete in the store.
    policy: { retryLimit: 2, retryDelay: 300, retryBackoff: true, expireInSeconds: 3_600, heartbeatSeconds: 30 },
    cron: "23 3 * * *",
  }),
  "messages.retention": declareQueue({
    description:
      "Daily: deletes messages older than the days set in Settings (kept forever by default) in batches, with their events and media files nothing else uses, and finishes removing media an erasure marked (server/data-rights/retention.ts).",
    payload: z.object({}).strict(),
    policy: { retryLimit: 2, retryDelay: 300, retryBackoff: true, expireInSeconds: 3_600, heartbeatSeconds: 30 },
    cron: "37 3 * * *",
  }),
  "media.erased": declareQueue({
    description:
      "After a contact's erasure commits: removes the media files it marked `erased` from the store, then their rows (server/data-rights/erase.ts, finishErasedMedia).",
    payload: z.object({}).strict(),
    policy: { retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 900, heartbeatSeconds: 30 },
  }),
  "flow.deadline": declareQueue({
    description:
      "The deadline of a flow's wait (an ask's timeout, a wait step's end), scheduled for its time: moves the conversation's flow on, once, if it still stands there (server/conversations/flow.ts).",
    concurrency: 4,
    payload: ZFlowJob,
    policy: FLOW_MOVE_POLICY,
  }),
  "flow.resume": declareQueue({
    description:
      "A person gave a conversation with a paused flow back to the bot: the flow goes on where it stood (a question asked again with its timeout from now, a wait's deadline kept, an HTTP request made again), once, if nothing moved it since (server/conversations/flow.ts).",
    concurrency: 4,
    payload: ZFlowJob,
    policy: FLOW_MOVE_POLICY,
  }),
  "flow.http": declareQueue({
    description:
      "A flow's HTTP step: calls the business's system (the SSRF guard, the step's timeout, an Idempotency-Key of run and step) and moves the flow on with the answer (server/flows/requests.ts).",
    concurrency: 8,
    payload: ZFlowJob,
    // A crash after the call and before recording it calls again: the key lets the business's system answer once.
    policy: {
      retryLimit: 3,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 30,
      expireInSeconds: 90,
      heartbeatSeconds: 10,
    },
  }),
  "cloud.templates": declareQueue({
    description:
      "Daily: syncs the message templates of every number with Cloud API settings from its WhatsApp Business Account (server/cloud/template-sync.ts).",
    payload: z.object({}).strict(),
    // One number failing (a revoked token) is logged and does not stop the others, so the job itself rarely fails.
    policy: { retryLimit: 2, retryDelay: 600, retryBackoff: true, expireInSeconds: 1_800, heartbeatSeconds: 30 },
    cron: "41 4 * * *",
  }),
  "team.assign": declareQueue({
    description:
      "Assigns a team's waiting conversations to its available members (its mode, the per-agent cap), under the team's row lock (server/conversations/assignment.ts); queued by a hand-off to the team, a member coming online, a member's conversation closed or released.",
    concurrency: 2,
    payload: z.object({ teamId: z.uuid() }),
    policy: { retryLimit: 5, retryDelay: 1, retryBackoff: true, retryDelayMax: 30, expireInSeconds: 60 },
  }),
  "team.acknowledge": declareQueue({
    description:
      "Tells the contact of a hand-off to a team what happens next (server/teams/reception.ts): inside the team's hours the acknowledgement with the expected wait, outside them when the team is back; at most once per hand-off.",
    concurrency: 2,
    payload: z.object({ threadId: z.uuid(), teamId: z.uuid(), handoffAt: z.iso.datetime({ offset: true }) }),
    policy: { retryLimit: 5, retryDelay: 1, retryBackoff: true, retryDelayMax: 30, expireInSeconds: 60 },
  }),
  "team.sla": declareQueue({
    description:
      "Every minute: conversations past a team's SLA due time (first response, resolution) are stamped breached once and recorded as thread.sla_breached (server/teams/sla.ts).",
    payload: z.object({}).strict(),
    policy: { retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 120 },
    cron: "* * * * *",
  }),
  "team.sweep": declareQueue({
    description:
      "Every minute: agents whose dashboard has not beaten for AWAY_AFTER_MINUTES become away, and teams with waiting conversations get an assignment run (server/teams/availability.ts).",
    payload: z.object({}).strict(),
    policy: { retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 120 },
    cron: "* * * * *",
  }),
  "knowledge.index": declareQueue({
    description:
      "Indexes one knowledge source: extracts its text (pasted, a file from the media store, a web page through the SSRF guard), splits it into passages, embeds them when Gemini is configured, and replaces the source's passages in one transaction (server/knowledge/indexing.ts). `refresh`: a scheduled fetch that leaves an unchanged page alone.",
    // PDF parsing is CPU work: two at a time leaves the pipeline room.
    concurrency: 2,
    payload: z.object({ sourceId: z.uuid(), refresh: z.boolean().optional() }),
    // A bad file or page is not retried (the source fails with its reason); only a crashed or stuck run is.
    policy: { retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 900, heartbeatSeconds: 30 },
  }),
  "knowledge.refresh": declareQueue({
    description:
      "Every five minutes: web page sources whose next fetch is due are queued for knowledge.index (refresh), each claimed so a slow fetch is not queued twice.",
    payload: z.object({}).strict(),
    policy: { retryLimit: 1, retryDelay: 60, retryBackoff: false, expireInSeconds: 120 },
    cron: "*/5 * * * *",
  }),
  "campaign.tick": declareQueue({
    description:
      "One step of a campaign's sending loop: the next recipients the rate allows get their messages (or are skipped), exactly once, and the next step is queued, all in one transaction; a job whose token is no longer the campaign's does nothing (server/campaigns/campaigns.ts).",
    concurrency: 2,
    payload: z.object({ campaignId: z.uuid(), token: z.uuid() }),
    // Heartbeat: a tick whose worker was killed is retried within seconds, not at its expiry.
    policy: {
      retryLimit: 10,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 60,
      expireInSeconds: 120,
      heartbeatSeconds: 10,
    },
  }),
  "delivery.sweep": declareQueue({
    description:
      "Every two minutes: outbound messages stuck without the engine taking them or without a delivery receipt past their threshold are flagged with a likely cause, and those the engine never accepted are re-sent once where the engine allows it (server/delivery/stuck.ts).",
    payload: z.object({}).strict(),
    policy: { retryLimit: 1, retryDelay: 60, retryBackoff: false, expireInSeconds: 120 },
    cron: "*/2 * * * *",
  }),
  "scheduled.send": declareQueue({
    description:
      "A scheduled message's time came (one job per row, startAfter its sendAt): queues it through the outbound entry point and marks the row sent, in one transaction under the row's lock (exactly once); past its expiry it is marked expired instead (server/scheduled/).",
    concurrency: 4,
    payload: z.object({ scheduledId: z.uuid() }),
    policy: {
      retryLimit: 10,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 120,
      expireInSeconds: 60,
      heartbeatSeconds: 10,
    },
  }),
} as const;

export type TQueueName = keyof typeof QUEUES;

/**
 * How workers poll besides being woken by NOTIFY: retries and delayed jobs (acks, backoff) are
 * not announced, so the backstop is 1 s rather than pg-boss's 30 s.
 */
export const WORK_POLLING = { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 1 } as const;

/**
 * One send queue per WhatsApp session, `send.<sessionId>`, worked only by the worker holding
 * the session's lease (so pacing is per session). Created when a worker takes the session.
 */
export const SEND_QUEUE = {
  prefix: "send.",
  // The thread rides along so a batch can take its threads' locks without looking them up.
  payload: z.object({ messageId: z.uuid(), threadId: z.uuid().optional() }),
  policy: {
    retryLimit: 5,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 300,
    expireInSeconds: 300,
    // A killed worker's sends are failed and retried after this, not after the expiry.
    heartbeatSeconds: 10,
  } satisfies TQueuePolicy,
} as const;
export function sendQueueName(sessionId: string): string {
  return `${SEND_QUEUE.prefix}${sessionId}`;
}

/**
 * One media queue per WhatsApp session, `media.<sessionId>`: fetches an inbound message's file
 * through the engine and stores it (server/media/receive.ts). Like the send queue it is worked
 * only by the worker holding the session's lease (it has the connection), two jobs at a time, so
 * large files never starve the text pipeline. Created when a worker takes the session.
 */
export const MEDIA_QUEUE = {
  prefix: "media.",
  payload: z.object({ messageId: z.uuid() }),
  /** Jobs of one session's media queue a worker runs at once. */
  concurrency: 2,
  policy: {
    // A download that fails is tried again four times, 5 s → 60 s apart; the last failure is
    // recorded on the message (which is then processed anyway).
    retryLimit: 4,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 60,
    // Generous: a 100 MB document over a slow link to the phone.
    expireInSeconds: 900,
    heartbeatSeconds: 15,
  } satisfies TQueuePolicy,
} as const;
export function mediaQueueName(sessionId: string): string {
  return `${MEDIA_QUEUE.prefix}${sessionId}`;
}
export type TQueuePayload<N extends TQueueName> = z.infer<(typeof QUEUES)[N]["payload"]>;
export const QUEUE_NAMES = Object.keys(QUEUES) as TQueueName[];

/**
 * Jobs whose payload fails validation land here at once, with the reason, instead of being
 * retried: a malformed payload never becomes valid by waiting.
 */
export const DEAD_LETTER_QUEUE = "dead-letter";
export const ZDeadLetter = z.object({
  queue: z.string(),
  jobId: z.string(),
  data: z.unknown(),
  error: z.string(),
});
export type TDeadLetter = z.infer<typeof ZDeadLetter>;
