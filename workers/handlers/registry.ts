import type { THandlerMap } from "../runtime";
import { handleAiReply } from "./ai";
import { handleCloudWebhook } from "./cloud";
import { handleAnalyticsRollup } from "./analytics";
import { handleCampaignTick } from "./campaigns";
import { handleDeliverySweep } from "./delivery";
import { handleCloudTemplates } from "./cloud-templates";
import { handleEvaluate } from "./evaluation";
import { handleFlowDeadline, handleFlowResume, handleFlowHttp } from "./flows";
import { handleHandback, handleWake } from "./inbox";
import { handleKnowledgeIndex, handleKnowledgeRefresh } from "./knowledge";
import { handlePrune } from "./maintenance";
import { handleTranscribe } from "./media";
import { handleMediaRetention } from "./media-retention";
import { handleErasedMedia, handleMessageRetention } from "./message-retention";
import { handleTeamAcknowledge, handleTeamSla } from "./team-reception";
import { handleTeamAssign, handleTeamSweep } from "./teams";
import { handleScheduledSend } from "./scheduled";
import { handleProcess, handleSimulatorAck, handleSimulatorInbound } from "./messages";
import { handleWebhookDelivery } from "./webhooks";

/** The handler of every declared queue (a missing one does not compile). */
export const JOB_HANDLERS: THandlerMap = {
  "maintenance.prune": handlePrune,
  "message.process": handleProcess,
  "ai.reply": handleAiReply,
  "ai.evaluate": handleEvaluate,
  "simulator.inbound": handleSimulatorInbound,
  "simulator.ack": handleSimulatorAck,
  "cloud.webhook": handleCloudWebhook,
  "media.transcribe": handleTranscribe,
  "inbox.handback": handleHandback,
  "inbox.wake": handleWake,
  "webhook.deliver": handleWebhookDelivery,
  "analytics.rollup": handleAnalyticsRollup,
  "media.retention": handleMediaRetention,
  "messages.retention": handleMessageRetention,
  "media.erased": handleErasedMedia,
  "cloud.templates": handleCloudTemplates,
  "flow.deadline": handleFlowDeadline,
  "flow.resume": handleFlowResume,
  "flow.http": handleFlowHttp,
  "team.assign": handleTeamAssign,
  "team.sweep": handleTeamSweep,
  "team.acknowledge": handleTeamAcknowledge,
  "team.sla": handleTeamSla,
  "campaign.tick": handleCampaignTick,
  "knowledge.index": handleKnowledgeIndex,
  "knowledge.refresh": handleKnowledgeRefresh,
  "scheduled.send": handleScheduledSend,
  "delivery.sweep": handleDeliverySweep,
};
