"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId } from "react";
import { useTRPC } from "~/components/trpc/client";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import type { TCampaignContent } from "~/server/campaigns/content";

const TEXTAREA =
  "min-h-24 w-full rounded-md border border-border bg-card px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-primary aria-[invalid=true]:border-destructive";

type TKind = TCampaignContent["kind"];

/** What the content fields hold: enough to build the campaign's content on submit. */
export type TContentDraft = {
  kind: TKind;
  body: string;
  assetId: string;
  caption: string;
  /** `name\u0000language` of the chosen template. */
  template: string;
  header: string[];
  bodyValues: string[];
  buttons: Record<string, string>;
};

export const EMPTY_CONTENT: TContentDraft = {
  kind: "text",
  body: "",
  assetId: "",
  caption: "",
  template: "",
  header: [],
  bodyValues: [],
  buttons: {},
};

/** The campaign's content as the API takes it, from what the fields hold. */
export function contentOf(draft: TContentDraft): TCampaignContent {
  if (draft.kind === "media") return { kind: "media", assetId: draft.assetId, caption: draft.caption };
  if (draft.kind === "template") {
    const [name = "", language = ""] = draft.template.split("\u0000");
    return {
      kind: "template",
      name,
      language,
      values: { header: draft.header, body: draft.bodyValues, buttons: draft.buttons },
    };
  }
  return { kind: "text", body: draft.body };
}

/**
 * The content part of the campaign form: a text, a file of the media library with a caption, or
 * (on Cloud API numbers) an approved template of the first number chosen with a field for each of
 * its variables.
 */
export function ContentFields({
  value,
  onChange,
  firstNumber,
  errors,
}: {
  value: TContentDraft;
  onChange: (value: TContentDraft) => void;
  firstNumber: { id: string; name: string } | null;
  errors: Record<string, string>;
}) {
  const t = useTranslations("domain.campaignResults.form");
  const tForm = useTranslations("domain.campaigns.ui.form");
  const trpc = useTRPC();
  const id = useId();
  const set = (change: Partial<TContentDraft>) => onChange({ ...value, ...change });
  const assets = useQuery(trpc.media.assets.queryOptions(undefined, { enabled: value.kind === "media" }));
  const templates = useQuery(
    trpc.campaigns.templates.queryOptions(
      { sessionId: firstNumber?.id ?? "00000000-0000-0000-0000-000000000000" },
      { enabled: value.kind === "template" && firstNumber !== null },
    ),
  );
  const chosen = (templates.data ?? []).find(
    (template) => `${template.name}\u0000${template.language}` === value.template,
  );

  return (
    <fieldset className="flex flex-col gap-3">
      <legend className="text-sm font-medium">{t("content")}</legend>
      <div className="flex flex-wrap gap-x-4 gap-y-1" role="radiogroup" aria-label={t("content")}>
        {(["text", "media", "template"] as const).map((kind) => (
          <label key={kind} className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name={`${id}-kind`}
              value={kind}
              checked={value.kind === kind}
              onChange={() => set({ kind })}
            />
            {t(kind === "text" ? "kindText" : kind === "media" ? "kindMedia" : "kindTemplate")}
          </label>
        ))}
      </div>
      {value.kind === "text" ? (
        <Field label={tForm("body")} htmlFor={`${id}-body`} hint={tForm("bodyHint")} error={errors["content.body"]}>
          <textarea
            id={`${id}-body`}
            required
            maxLength={4096}
            className={TEXTAREA}
            value={value.body}
            onChange={(event) => set({ body: event.target.value })}
          />
        </Field>
      ) : null}
      {value.kind === "media" ? (
        <>
          <Field label={t("mediaFile")} htmlFor={`${id}-asset`} error={errors["content.assetId"]}>
            <Select
              id={`${id}-asset`}
              value={value.assetId}
              onChange={(event) => set({ assetId: event.target.value })}
              className="max-w-sm"
            >
              <option value="">{t("chooseMedia")}</option>
              {(assets.data ?? []).map((asset) => (
                <option key={asset.id} value={asset.id}>
                  {asset.name}
                </option>
              ))}
            </Select>
          </Field>
          {assets.data && assets.data.length === 0 ? (
            <p className="text-sm text-muted-foreground">{t("noMedia")}</p>
          ) : null}
          <Field
            label={t("caption")}
            htmlFor={`${id}-caption`}
            hint={t("captionHint")}
            error={errors["content.caption"]}
          >
            <textarea
              id={`${id}-caption`}
              maxLength={4096}
              className={TEXTAREA}
              value={value.caption}
              onChange={(event) => set({ caption: event.target.value })}
            />
          </Field>
        </>
      ) : null}
      {value.kind === "template" ? (
        firstNumber === null ? (
          <p className="text-sm text-muted-foreground">{t("chooseNumberFirst")}</p>
        ) : (
          <>
            <Field
              label={t("template")}
              htmlFor={`${id}-template`}
              hint={t("templatesOf", { name: firstNumber.name })}
              error={errors["content.name"]}
            >
              <Select
                id={`${id}-template`}
                value={value.template}
                onChange={(event) => {
                  const next = (templates.data ?? []).find(
                    (template) => `${template.name}\u0000${template.language}` === event.target.value,
                  );
                  set({
                    template: event.target.value,
                    header: Array.from({ length: next?.shape.header?.variables ?? 0 }, () => ""),
                    bodyValues: Array.from({ length: next?.shape.body.variables ?? 0 }, () => ""),
                    buttons: {},
                  });
                }}
                className="max-w-sm"
              >
                <option value="">{t("chooseTemplate")}</option>
                {(templates.data ?? []).map((template) => (
                  <option key={template.id} value={`${template.name}\u0000${template.language}`}>
                    {template.name} ({template.language})
                  </option>
                ))}
              </Select>
            </Field>
            {templates.data && templates.data.length === 0 ? (
              <p className="text-sm text-muted-foreground">{t("noTemplates")}</p>
            ) : null}
            {chosen ? (
              <div className="flex flex-col gap-3">
                <p className="rounded-md bg-muted px-3 py-2 text-sm whitespace-pre-wrap">{chosen.shape.body.text}</p>
                {value.header.map((header, index) => (
                  <Field
                    key={`h${index}`}
                    label={t("headerVariable", { n: index + 1 })}
                    htmlFor={`${id}-h${index}`}
                    hint={t("variableHint")}
                  >
                    <Input
                      id={`${id}-h${index}`}
                      value={header}
                      onChange={(event) =>
                        set({ header: value.header.map((old, at) => (at === index ? event.target.value : old)) })
                      }
                    />
                  </Field>
                ))}
                {value.bodyValues.map((body, index) => (
                  <Field
                    key={`b${index}`}
                    label={t("bodyVariable", { n: index + 1 })}
                    htmlFor={`${id}-b${index}`}
                    hint={t("variableHint")}
                  >
                    <Input
                      id={`${id}-b${index}`}
                      value={body}
                      onChange={(event) =>
                        set({
                          bodyValues: value.bodyValues.map((old, at) => (at === index ? event.target.value : old)),
                        })
                      }
                    />
                  </Field>
                ))}
                {chosen.shape.buttons
                  .filter((button) => button.variables > 0)
                  .map((button) => (
                    <Field
                      key={`k${button.index}`}
                      label={t("buttonVariable", { text: button.text })}
                      htmlFor={`${id}-k${button.index}`}
                    >
                      <Input
                        id={`${id}-k${button.index}`}
                        value={value.buttons[String(button.index)] ?? ""}
                        onChange={(event) =>
                          set({ buttons: { ...value.buttons, [String(button.index)]: event.target.value } })
                        }
                      />
                    </Field>
                  ))}
              </div>
            ) : null}
          </>
        )
      ) : null}
    </fieldset>
  );
}
