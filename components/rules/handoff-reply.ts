import type { TRuleAction } from "~/server/rules/schema";

/** A rule hands the conversation to a person without telling the contact (no reply, no AI reply). */
export function isSilentHandoff(actions: readonly TRuleAction[]): boolean {
  return (
    actions.some((action) => action.type === "handoff") &&
    !actions.some((action) => action.type === "reply" || action.type === "ai_reply")
  );
}

/** The actions with a text reply just before the first hand-off, so the contact hears it first. */
export function withHandoffReply(actions: readonly TRuleAction[], text: string): TRuleAction[] {
  const at = actions.findIndex((action) => action.type === "handoff");
  const reply: TRuleAction = { type: "reply", text };
  return at < 0 ? [...actions, reply] : [...actions.slice(0, at), reply, ...actions.slice(at)];
}
