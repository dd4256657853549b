import { QUEUES } from "~/server/jobs/queues";
import { transcribeMessage } from "~/server/media/transcribe";
import type { TJobHandler } from "../runtime";

/** `media.transcribe`: Gemini writes out a stored voice note or audio; then the message is processed. */
export const handleTranscribe: TJobHandler<"media.transcribe"> = async (
  payload,
  { db, boss, log, job, ai, mediaStore },
) => {
  // Without a store the recording cannot be read: retried until a worker that has one takes it.
  if (!mediaStore) throw new Error("this worker has no media store");
  const outcome = await transcribeMessage(db, boss, mediaStore, ai.gemini, payload.messageId, {
    isLastAttempt: job.retryCount >= QUEUES["media.transcribe"].policy.retryLimit,
    signal: job.signal,
  });
  log.debug({ messageId: payload.messageId, outcome }, "transcription");
};
