"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "~/components/trpc/client";
import { Button } from "~/components/ui/button";
import { Input, Select } from "~/components/ui/input";
import { INTERACTIVE_LIMITS } from "~/server/messages/content";
import { slugOfTitle, type TReplyChoices } from "~/server/rules/schema";

/** What the editor holds of a reply's choices: ids may be empty (the server makes them from the titles). */
type TChoicesDraft = TReplyChoices;

/** The engines' words for where a choice shows as buttons and where as a numbered menu. */
export function useChoiceTargets() {
  const trpc = useTRPC();
  const options = useQuery(trpc.rules.sendOptions.queryOptions());
  const engines = options.data?.engines ?? [];
  return {
    data: options.data,
    buttons: engines.filter((engine) => engine.buttons).map((engine) => engine.label),
    menu: engines.filter((engine) => !engine.buttons).map((engine) => engine.label),
    templates: engines.some((engine) => engine.templates),
  };
}

/**
 * The "Offer choices" part of a reply: buttons (up to 3) or a list (up to 10 rows behind a
 * button), each option a title, an id (what `message.replyId` sees; made from the title when
 * left empty) and, in a list, a description. Says where they show as buttons and where as a
 * numbered menu, from the published engines' capabilities.
 */
export function ReplyChoicesEditor({
  choices,
  number,
  disabled,
  hasFile,
  onChange,
}: {
  choices: TChoicesDraft | undefined;
  number: number;
  disabled?: boolean;
  hasFile: boolean;
  onChange: (choices: TChoicesDraft | undefined) => void;
}) {
  const t = useTranslations("rules.actions.choices");
  const targets = useChoiceTargets();
  const list = useTranslations("common");
  if (!choices) {
    return (
      <div className="basis-full">
        <Button
          size="sm"
          variant="secondary"
          disabled={disabled || hasFile}
          title={hasFile ? t("noFile") : undefined}
          onClick={() => onChange({ style: "buttons", options: [{ id: "", title: "" }] })}
        >
          {t("offer")}
        </Button>
      </div>
    );
  }
  const isList = choices.style === "list";
  const max = isList ? INTERACTIVE_LIMITS.rows : INTERACTIVE_LIMITS.buttons;
  const setOption = (index: number, patch: Partial<TChoicesDraft["options"][number]>) =>
    onChange({
      ...choices,
      options: choices.options.map((option, i) => (i === index ? { ...option, ...patch } : option)),
    });
  const join = (labels: string[]) => labels.join(", ") || list("none");
  return (
    <fieldset className="flex basis-full flex-col gap-2 rounded-md border border-dashed border-border p-2">
      <legend className="px-1 text-xs font-medium">{t("legend", { number })}</legend>
      <div className="flex flex-wrap items-center gap-2">
        <Select
          aria-label={t("style", { number })}
          className="w-full sm:w-44"
          value={choices.style}
          disabled={disabled}
          onChange={(event) => {
            const style = event.target.value as TChoicesDraft["style"];
            onChange({
              ...choices,
              style,
              ...(style === "list" ? { button: choices.button ?? t("defaultButton") } : { button: undefined }),
            });
          }}
        >
          <option value="buttons">{t("buttons")}</option>
          <option value="list">{t("list")}</option>
        </Select>
        {isList ? (
          <Input
            aria-label={t("button", { number })}
            className="w-full sm:w-44"
            placeholder={t("defaultButton")}
            maxLength={INTERACTIVE_LIMITS.listButton}
            value={choices.button ?? ""}
            disabled={disabled}
            onChange={(event) => onChange({ ...choices, button: event.target.value })}
          />
        ) : null}
        <Button size="sm" variant="ghost" disabled={disabled} onClick={() => onChange(undefined)}>
          {t("removeAll")}
        </Button>
      </div>
      <ol className="flex flex-col gap-2">
        {choices.options.map((option, index) => (
          <li key={index} className="flex flex-wrap items-center gap-2">
            <span className="w-5 text-xs text-muted-foreground">{index + 1}.</span>
            <Input
              aria-label={t("optionTitle", { number, option: index + 1 })}
              className="min-w-0 flex-1 sm:max-w-56"
              placeholder={t("titlePlaceholder")}
              value={option.title}
              disabled={disabled}
              onChange={(event) => setOption(index, { title: event.target.value })}
            />
            <Input
              aria-label={t("optionId", { number, option: index + 1 })}
              className="w-full font-mono text-xs sm:w-40"
              placeholder={option.title.trim() ? slugOfTitle(option.title) : t("idPlaceholder")}
              value={option.id}
              disabled={disabled}
              onChange={(event) => setOption(index, { id: event.target.value })}
            />
            {isList ? (
              <Input
                aria-label={t("optionDescription", { number, option: index + 1 })}
                className="min-w-0 flex-1 basis-full sm:basis-0"
                placeholder={t("descriptionPlaceholder")}
                value={option.description ?? ""}
                disabled={disabled}
                onChange={(event) => setOption(index, { description: event.target.value })}
              />
            ) : null}
            <Button
              size="sm"
              variant="ghost"
              disabled={disabled || choices.options.length === 1}
              aria-label={t("removeOption", { option: index + 1 })}
              onClick={() => onChange({ ...choices, options: choices.options.filter((_, i) => i !== index) })}
            >
              ✕
            </Button>
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap items-center gap-2">
        <Button
          size="sm"
          variant="secondary"
          disabled={disabled || choices.options.length >= max}
          onClick={() => onChange({ ...choices, options: [...choices.options, { id: "", title: "" }] })}
        >
          {t("addOption")}
        </Button>
        <p className="min-w-0 flex-1 text-xs text-muted-foreground">
          {t("where", { buttons: join(targets.buttons), menu: join(targets.menu) })}
        </p>
      </div>
    </fieldset>
  );
}
