import { handBackIdleThreads } from "~/server/conversations/state";
import { wakeDueSnoozes } from "~/server/inbox/work";
import { getOrgSettings } from "~/server/settings/settings";
import type { TJobHandler } from "../runtime";

/** `inbox.handback` (cron): the idle handback of Settings, when it is on. */
export const handleHandback: TJobHandler<"inbox.handback"> = async (_payload, { db, boss, log }) => {
  const { handbackMinutes } = await getOrgSettings(db);
  if (handbackMinutes <= 0) return;
  const released = await handBackIdleThreads(db, boss, handbackMinutes);
  if (released.length > 0) log.info({ threads: released.length, minutes: handbackMinutes }, "idle threads handed back");
};

/** `inbox.wake` (cron): snoozes whose time has come end. */
export const handleWake: TJobHandler<"inbox.wake"> = async (_payload, { db, log }) => {
  const woken = await wakeDueSnoozes(db);
  if (woken.length > 0) log.info({ threads: woken.length }, "snoozed threads woke");
};
