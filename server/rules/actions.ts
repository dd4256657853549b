import { buildTemplateContent, type TTemplate } from "~/server/cloud/templates";
import { mediaContent, storedMediaRef } from "~/server/media/media-content";
import { INTERACTIVE_LIMITS, textOf, type TMessageContent } from "~/server/messages/content";
import type { TEvaluation } from "./evaluate";
import type { TRuleAsset } from "./media";
import type { TReplyChoices, TRuleAction } from "./schema";
import { renderTemplate, type TTemplateValues } from "./templates";

/** A reply a rule (or the default) decided, before it is stored: a text, or a file (`content`) with `body` its stand-in. */
export type TDecidedReply = {
  body: string;
  source: "rule" | "ai" | "flow";
  ruleId: string | null;
  content?: TMessageContent;
};

/** The contact and thread changes the actions of one message make. */
export type TActionEffects = {
  replies: TDecidedReply[];
  /** AI replies to write (asynchronously, by the `ai.reply` queue), in order. */
  aiReplies: { ruleId: string | null; profileId: string | null }[];
  /** `by`: a rule (the default), a flow's hand-off step, or a policy of the pipeline (the reply cap). */
  handoff: {
    ruleId: string | null;
    assigneeId: string | null;
    /** The team whose queue it goes to (null: the shared queue). */
    teamId?: string | null;
    note: string;
    by?: "rule" | "policy" | "flow";
    /** A flow's: the flow and what it collected. */
    flow?: { flowId: string; runId: string; variables: Record<string, unknown> };
  } | null;
  /** Contact field values to write (a flow's set step), by key. */
  fields: Record<string, string | number | boolean | null>;
  /** A rule's "start flow" action: the flow to start after the rule's replies. */
  startFlow: { ruleId: string; flowId: string } | null;
  tags: { add: string[]; remove: string[] };
  profileId: string | null;
  relationship: string | null;
  optOut: boolean;
  customEvents: { ruleId: string; name: string; data: Record<string, string> }[];
  /**
   * Actions that could not run for this message, and why: a `send_template` on a number whose
   * engine sends no templates (`no_templates`), that has no approved template of that name and
   * language (`no_template`), or whose values the template refuses (`invalid`, `detail` in English).
   */
  skipped: TSkippedAction[];
};

export type TSkippedAction = {
  ruleId: string;
  action: "send_template";
  reason: "no_templates" | "no_template" | "invalid";
  template: string;
  detail?: string;
};

/** The key of a template in `TActionContext.templates`. */
export const templateKey = (name: string, language: string) => `${name}|${language}`;

export type TActionContext = {
  template: TTemplateValues;
  /** The org default, when no rule matched. */
  defaultReply: string | null;
  /** The library files replies may send (the compiled ruleset's). */
  assets?: ReadonlyMap<string, TRuleAsset>;
  /**
   * The approved templates of the number the message came to, by `templateKey`; null when its
   * engine sends no templates (absent: none known, as in the test panel).
   */
  templates?: ReadonlyMap<string, TRuleTemplate> | null;
};

/** A synced template as a rule sends it. */
export type TRuleTemplate = Pick<TTemplate, "name" | "language" | "status" | "components">;

/** A list's button label when the rule gives none (WhatsApp requires one). */
export const DEFAULT_LIST_BUTTON = "Options";

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
    skipped: [],
    fields: {},
    startFlow: null,
  };
  for (const { ruleId, action } of evaluation.actions) applyAction(effects, ruleId, action, context);
  if (!evaluation.matchedAny && context.defaultReply) {
    effects.replies.push({ body: context.defaultReply, source: "rule", ruleId: null });
  }
  return effects;
}

/**
 * A choice offered with a message (`interactive`): buttons or a list where the engine has them,
 * a numbered menu where it has not (the sender decides). Rules' replies and flows' questions.
 */
export function choiceContent(body: string, choices: TReplyChoices): TMessageContent {
  const { style, button, options } = choices;
  return {
    kind: "interactive",
    style,
    // Variables may have made the text longer than WhatsApp takes.
    body: body.slice(0, INTERACTIVE_LIMITS.body).toWellFormed(),
    ...(style === "list" ? { button: button ?? DEFAULT_LIST_BUTTON } : {}),
    options: options.map((option) => ({
      id: option.id,
      title: option.title,
      ...(style === "list" && option.description ? { description: option.description } : {}),
    })),
  };
}

function applyAction(effects: TActionEffects, ruleId: string, action: TRuleAction, context: TActionContext) {
  switch (action.type) {
    case "reply": {
      if (effects.handoff) return;
      const body = renderTemplate(action.text, context.template);
      // A file gone since publishing (publishing refuses one already gone) leaves its caption alone.
      const asset = action.mediaAssetId ? context.assets?.get(action.mediaAssetId) : undefined;
      if (action.choices && body) {
        const content = choiceContent(body, action.choices);
        effects.replies.push({ body: textOf(content), content, source: "rule", ruleId });
      } else if (asset) {
        const content = mediaContent(asset.kind, storedMediaRef(asset, asset.fileName), body);
        effects.replies.push({ body: textOf(content), content, source: "rule", ruleId });
      } else if (body) effects.replies.push({ body, source: "rule", ruleId });
      return;
    }
    case "send_template": {
      if (effects.handoff) return;
      const template = `${action.name} (${action.language})`;
      const skip = (reason: TSkippedAction["reason"], detail?: string) =>
        effects.skipped.push({ ruleId, action: "send_template", reason, template, ...(detail ? { detail } : {}) });
      if (!context.templates) return skip("no_templates");
      const found = context.templates.get(templateKey(action.name, action.language));
      if (!found) return skip("no_template");
      const render = (text: string) => renderTemplate(text, context.template);
      try {
        const content = buildTemplateContent(found, {
          header: action.values.header.map(render),
          body: action.values.body.map(render),
          buttons: Object.fromEntries(Object.entries(action.values.buttons).map(([key, text]) => [key, render(text)])),
        });
        effects.replies.push({ body: textOf(content), content, source: "rule", ruleId });
      } catch (error) {
        skip("invalid", error instanceof Error ? error.message : String(error));
      }
      return;
    }
    case "ai_reply":
      if (effects.handoff) return;
      effects.aiReplies.push({ ruleId, profileId: action.profileId });
      return;
    case "handoff":
      effects.handoff ??= { ruleId, assigneeId: action.assigneeId, teamId: action.teamId, note: action.note };
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
    case "start_flow":
      // The first one wins; after a hand-off the people have the conversation.
      if (effects.handoff) return;
      effects.startFlow ??= { ruleId, flowId: action.flowId };
      return;
    case "stop":
      return;
  }
}
