import { ingestInboundBatch } from "~/server/messaging/ingest";
import { processInboundBatch } from "~/server/messaging/process";
import { applyDeliveryAck } from "~/server/messaging/statuses";
import type { TBatchJobHandler, TJobHandler } from "../runtime";

/** `message.process`: decide and queue the replies to a batch of stored inbound messages, in one transaction. */
export const handleProcess: { batch: TBatchJobHandler<"message.process"> } = {
  batch: async (payloads, { db, boss, log }) => {
    const outcomes = await processInboundBatch(
      db,
      boss,
      payloads.map((payload) => payload.messageId),
    );
    log.debug({ outcomes: Object.fromEntries(outcomes) }, "processed");
  },
};

/** `simulator.inbound`: the simulator's phone delivers messages; the jobs complete only after ingest committed. */
export const handleSimulatorInbound: { batch: TBatchJobHandler<"simulator.inbound"> } = {
  batch: async (payloads, { db, boss, log }) => {
    const results = await ingestInboundBatch(
      db,
      boss,
      payloads.map((payload) => ({ ...payload, type: "text" })),
    );
    for (const result of results) {
      if (result.status === "rejected") log.warn({ reason: result.reason }, "simulator message rejected");
    }
  },
};

/** `simulator.ack`: the simulator's phone says a message was delivered or read. */
export const handleSimulatorAck: TJobHandler<"simulator.ack"> = async (ack, { db, log }) => {
  const outcome = await applyDeliveryAck(db, ack);
  log.debug({ ack, outcome }, "simulator ack");
  // The phone can ack before the worker recorded the send: retry until it knows the message.
  if (outcome === "unknown") throw new Error(`no message ${ack.waMessageId} yet`);
};
