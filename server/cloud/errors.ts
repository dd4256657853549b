import { GraphApiError, GraphUnreachableError } from "./graph";

/**
 * What Meta's errors mean for a send (Meta's error-code reference, "WhatsApp error codes"):
 * `retry` — a limit or a hiccup that passes (throughput, pair rate, spam rate, "something went
 * wrong", Meta down or unreachable), tried again with backoff; `fail` — the message will never
 * go as it is (outside the 24-hour window, not a WhatsApp user, a template or parameter Meta
 * refuses, media it cannot use, a restricted account), failed at once; `auth` — the access token
 * was refused (190): retried, since a corrected token picks the message up, and the number is
 * shown failed with the reason. Each verdict carries a reason naming Meta's code and title.
 */
export type TGraphVerdict = { action: "retry" | "fail" | "auth"; reason: string };

/** Limits and hiccups: the same request succeeds later. */
const RETRY_CODES: Record<number, string> = {
  1: "Meta's API had a temporary problem",
  2: "Meta's API is temporarily unavailable",
  4: "The app reached Meta's API call limit; sending again shortly",
  80007: "The WhatsApp Business Account reached its rate limit; sending again shortly",
  130429: "The number reached Meta's throughput limit (messages per second); sending again shortly",
  131000: "Meta could not send the message (something went wrong); trying again",
  131016: "Meta's service is temporarily overloaded; trying again",
  131048: "Meta limited how many messages this number may send (spam rate limit); trying again later",
  131056: "Too many messages to this contact in a short time (pair rate limit); sending again shortly",
  131057: "The business account is in maintenance mode; trying again",
  133004: "Meta's server is temporarily unavailable; trying again",
};

/** The message will not go as it is: failed at once, later messages of the conversation go on. */
const FAIL_CODES: Record<number, string> = {
  3: "The access token may not send messages (missing permission)",
  10: "The access token lacks the permission to send messages",
  100: "Meta refused a parameter of the message",
  368: "The WhatsApp Business Account is restricted for policy violations",
  131008: "A required parameter of the message is missing",
  131009: "A parameter of the message has a value Meta does not accept",
  131021: "The recipient is this business number itself",
  131026:
    "The message could not be delivered: the number may not be on WhatsApp, or the contact must update WhatsApp or accept its terms",
  131031: "The business account is locked or restricted",
  131042: "The business account has a payment problem",
  131047: "More than 24 hours since the contact's last message: only a template can reach them",
  131049: "Meta chose not to deliver this marketing message to keep the contact's experience healthy",
  131050: "The contact stopped marketing messages from this business",
  131051: "WhatsApp does not support this type of message",
  131052: "Meta could not download the media file of the message",
  131053: "Meta could not use the uploaded media file (its type or size)",
  132000: "The template's variables do not match: the number of values given is not the number it has",
  132001: "The template does not exist in this language, or is not approved yet",
  132005: "The template's text with its values filled in is too long",
  132007: "The template's values break WhatsApp's formatting policy",
  132012: "A template value has the wrong format for its variable",
  132015: "The template is paused for low quality",
  132016: "The template is disabled for low quality",
  132068: "The template's flow is blocked",
  132069: "The template's flow is throttled",
  130472: "Meta did not deliver the message: the contact's number is part of an experiment",
};

function metaSays(error: GraphApiError): string {
  const code = error.code !== null ? `code ${error.code}` : `HTTP ${error.httpStatus}`;
  return `Meta ${code}: ${error.title}${error.details && error.details !== error.title ? ` — ${error.details}` : ""}`;
}

/** A Graph error on a send, classified, with a reason that names Meta's code and title. */
export function classifyGraphError(error: unknown): TGraphVerdict {
  if (error instanceof GraphUnreachableError) return { action: "retry", reason: error.message };
  if (!(error instanceof GraphApiError)) {
    return { action: "retry", reason: error instanceof Error ? error.message : String(error) };
  }
  const code = error.code ?? -1;
  if (code === 190 || error.httpStatus === 401) {
    return { action: "auth", reason: `The access token is invalid or expired (${metaSays(error)})` };
  }
  const retry = RETRY_CODES[code];
  if (retry) return { action: "retry", reason: `${retry} (${metaSays(error)})` };
  const fail = FAIL_CODES[code];
  if (fail) return { action: "fail", reason: `${fail} (${metaSays(error)})` };
  if (code >= 200 && code <= 299) {
    return { action: "fail", reason: `The access token lacks a permission Meta requires (${metaSays(error)})` };
  }
  // Unknown codes: Meta's own trouble (5xx, 429) passes; anything else is about this request.
  if (error.httpStatus >= 500 || error.httpStatus === 429) {
    return { action: "retry", reason: `Meta could not take the message now (${metaSays(error)})` };
  }
  return { action: "fail", reason: `Meta refused the message (${metaSays(error)})` };
}

/**
 * Why the token check of a number failed, in words for its status on the Sessions page: the
 * token refused (190), a phone number id Meta does not know (100 / subcode 33), Meta
 * unreachable, or what Meta said.
 */
export function describeCheckFailure(error: unknown, phoneNumberId: string): string {
  if (error instanceof GraphUnreachableError) {
    const why = /\(([^)]*)\)$/.exec(error.message)?.[1] ?? error.message;
    return `Meta's Graph API is unreachable from this worker (${why}); trying again.`;
  }
  if (error instanceof GraphApiError) {
    if (error.code === 190 || error.httpStatus === 401) {
      return `Meta refused the access token: the access token is invalid or expired. Paste a new one in the number's settings (${metaSays(error)}).`;
    }
    if (error.code === 100 && (error.subcode === 33 || /does not exist/i.test(error.title))) {
      return `Meta does not know the phone number ID ${phoneNumberId}, or this access token may not use it (${metaSays(error)}).`;
    }
    if (error.code === 10 || (error.code !== null && error.code >= 200 && error.code <= 299)) {
      return `The access token lacks the whatsapp_business_messaging permission for this number (${metaSays(error)}).`;
    }
    return `Meta refused the check of this number (${metaSays(error)}).`;
  }
  return `The check of this number failed: ${error instanceof Error ? error.message : String(error)}`;
}
