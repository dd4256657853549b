import { mediaContent, storedMediaRef } from "~/server/media/media-content";
import { textOf, type TMessageContent } from "~/server/messages/content";
import type { TEvaluation } from "./evaluate";
import type { TRuleAsset } from "./media";
import type { TRuleAction } from "./schema";
import { renderTemplate, type TTemplateValues } from "./templates";

/** A reply a rule (or the default) decided, before it is stored: a text, or a file (`content`) with `body` its stand-in. */
export type TDecidedReply = { body: string; source: "rule" | "ai"; ruleId: string | null; content?: TMessageContent };

/** The contact and thread changes the actions of one message make. */
export type TActionEffects = {
  replies: TDecidedReply[];
  /** AI replies to write (asynchronously, by the `ai.reply` queue), in order. */
  aiReplies: { ruleId: string; profileId: string | null }[];
  /** `by`: a rule (the default) or a policy of the pipeline (the reply cap). */
  handoff: { ruleId: string | null; assigneeId: string | null; note: string; by?: "rule" | "policy" } | null;
  tags: { add: string[]; remove: string[] };
  profileId: string | null;
  relationship: string | null;
  optOut: boolean;
  customEvents: { ruleId: string; name: string; data: Record<string, string> }[];
};

export type TActionContext = {
  template: TTemplateValues;
  /** The org default, when no rule matched. */
  defaultReply: string | null;
  /** The library files replies may send (the compiled ruleset's). */
  assets?: ReadonlyMap<string, TRuleAsset>;
};

/**
 * Turns an evaluation into effects, actions in order: after a hand-off the bot says nothing
 * more; when no rule matched, the org default applies.
 */
export function planActions(evaluation: TEvaluation, context: TActionContext): TActionEffects {
  const effects: TActionEffects = {
    replies: [],
    aiReplies: [],
    handoff: null,
    tags: { add: [], remove: [] },
    profileId: null,
    relationship: null,
    optOut: false,
    customEvents: [],
  };
  for (const { ruleId, action } of evaluation.actions) applyAction(effects, ruleId, action, context);
  if (!evaluation.matchedAny && context.defaultReply) {
    effects.replies.push({ body: context.defaultReply, source: "rule", ruleId: null });
  }
  return effects;
}

function applyAction(effects: TActionEffects, ruleId: string, action: TRuleAction, context: TActionContext) {
  switch (action.type) {
    case "reply": {
      if (effects.handoff) return;
      const body = renderTemplate(action.text, context.template);
      // A file gone since publishing (publishing refuses one already gone) leaves its caption alone.
      const asset = action.mediaAssetId ? context.assets?.get(action.mediaAssetId) : undefined;
      if (asset) {
        const content = mediaContent(asset.kind, storedMediaRef(asset, asset.fileName), body);
        effects.replies.push({ body: textOf(content), content, source: "rule", ruleId });
      } else if (body) effects.replies.push({ body, source: "rule", ruleId });
      return;
    }
    case "ai_reply":
      if (effects.handoff) return;
      effects.aiReplies.push({ ruleId, profileId: action.profileId });
      return;
    case "handoff":
      effects.handoff ??= { ruleId, assigneeId: action.assigneeId, note: action.note };
      return;
    case "tag":
      effects.tags.remove = effects.tags.remove.filter((tag) => tag !== action.tag);
      if (!effects.tags.add.includes(action.tag)) effects.tags.add.push(action.tag);
      return;
    case "untag":
      effects.tags.add = effects.tags.add.filter((tag) => tag !== action.tag);
      if (!effects.tags.remove.includes(action.tag)) effects.tags.remove.push(action.tag);
      return;
    case "set_profile":
      effects.profileId = action.profileId;
      return;
    case "set_relationship":
      effects.relationship = action.relationship;
      return;
    case "opt_out":
      effects.optOut = true;
      return;
    case "emit_event":
      effects.customEvents.push({ ruleId, name: action.name, data: action.data });
      return;
    case "stop":
      return;
  }
}
