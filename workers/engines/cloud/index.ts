import type { z } from "zod";
import { ZCloudEnv } from "~/server/env";
import type { TEngine } from "../types";
import { createCloudConnection, type TCloudEngineOptions } from "./connection";

/**
 * The WhatsApp Cloud API engine (Meta's official Business Platform, through the Graph API), as
 * the registry lists it. It runs on every worker: its only variable, CLOUD_API_BASE_URL, points
 * it away from Meta (the tests' fake Graph server); each number's settings and secrets are in
 * its session row (server/cloud/config.ts). Messages arrive by a signed webhook at the web.
 */
export const cloudEngine: TEngine<TCloudEngineOptions, z.infer<typeof ZCloudEnv>> = {
  descriptor: {
    kind: "cloud",
    label: "WhatsApp Cloud API",
    description:
      "A number of a WhatsApp Business Account on Meta's official Cloud API: set up with its phone number ID and an access token, messages arrive by webhook; templates, buttons and lists, and the 24-hour window.",
    capabilities: {
      text: true,
      media: ["image", "video", "audio", "voice", "document", "sticker", "location", "contacts"],
      reactions: true,
      quotedReplies: true,
      buttons: true,
      templates: true,
      serviceWindow: true,
      // The Cloud API shows "typing…" only along with marking a message read: not done here.
      presence: false,
      contactPresence: false,
      readReceipts: true,
      pairing: [],
      webhookInbound: true,
      phoneEcho: false,
      // Which sends it accepted is known only in memory: no certain re-send (docs/delivery.md).
      resendUnaccepted: false,
    },
    settings: ["pacing"],
    controls: ["restart"],
    addable: true,
  },
  env: {
    schema: ZCloudEnv,
    options: (env, common) => ({
      appSecret: common.APP_SECRET,
      ...(env.CLOUD_API_BASE_URL ? { baseUrl: env.CLOUD_API_BASE_URL } : {}),
      minBackoffMs: 2_000,
      maxBackoffMs: 300_000,
    }),
  },
  connect: ({ db, log, sessionId, mediaStore }, options) =>
    createCloudConnection({ db, log, sessionId, ...(mediaStore ? { mediaStore } : {}) }, options),
};
