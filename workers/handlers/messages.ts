import { ingestInbound } from "~/server/messaging/ingest";
import { processInbound } from "~/server/messaging/process";
import { applyDeliveryAck } from "~/server/messaging/statuses";
import type { TJobHandler } from "../runtime";

/** `message.process`: decide and queue the reply to one stored inbound message. */
export const handleProcess: TJobHandler<"message.process"> = async ({ messageId }, { db, boss, log }) => {
  const outcome = await processInbound(db, boss, messageId);
  log.debug({ messageId, outcome }, "processed");
};

/** `simulator.inbound`: the simulator's phone delivers a message; the job completes only after ingest committed. */
export const handleSimulatorInbound: TJobHandler<"simulator.inbound"> = async (payload, { db, boss, log }) => {
  const result = await ingestInbound(db, boss, { ...payload, type: "text" });
  if (result.status === "rejected") log.warn({ reason: result.reason }, "simulator message rejected");
};

/** `simulator.ack`: the simulator's phone says a message was delivered or read. */
export const handleSimulatorAck: TJobHandler<"simulator.ack"> = async (ack, { db }) => {
  // The phone can ack before the worker recorded the send: retry until it knows the message.
  if ((await applyDeliveryAck(db, ack)) === "unknown") throw new Error(`no message ${ack.waMessageId} yet`);
};
