"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { fillVariables, type TTemplateShape } from "~/server/cloud/template-shape";

const range = (count: number) => Array.from({ length: count }, (_, index) => index);

/**
 * A template as the contact would see it — a WhatsApp-like bubble with its header, body, footer
 * and buttons — and a field for each variable ({{1}}, {{2}}…) that fills the bubble as one types,
 * with the same `fillVariables` the sends use. An unfilled variable stays as {{n}}.
 */
export function TemplatePreview({ shape, name }: { shape: TTemplateShape; name: string }) {
  const t = useTranslations("sessions.templates.preview");
  const id = useId();
  const [header, setHeader] = useState<string[]>([]);
  const [body, setBody] = useState<string[]>([]);
  const [buttons, setButtons] = useState<Record<number, string>>({});
  const set = (list: string[], index: number, value: string) => {
    const next = [...list];
    next[index] = value;
    return next;
  };
  const headerVariables = shape.header?.format === "TEXT" ? shape.header.variables : 0;
  const variableButtons = shape.buttons.filter((button) => button.variables > 0);
  const hasVariables = headerVariables + shape.body.variables + variableButtons.length > 0;
  // An empty field leaves its {{n}} showing, so the bubble says what is still to fill in.
  const fill = (text: string, values: readonly (string | undefined)[]) =>
    fillVariables(text, Array.from(values, (value) => (value ? value : undefined)) as string[]);

  return (
    <div className="grid min-w-0 gap-4 md:grid-cols-[minmax(0,1fr)_minmax(0,20rem)]">
      <div className="min-w-0 space-y-3">
        {hasVariables ? (
          <>
            <p className="text-sm font-medium">{t("fillIn")}</p>
            <div className="grid gap-3 sm:grid-cols-2">
              {range(headerVariables).map((index) => (
                <Field key={`h${index}`} label={t("headerVariable", { n: index + 1 })} htmlFor={`${id}-h${index}`}>
                  <Input
                    id={`${id}-h${index}`}
                    value={header[index] ?? ""}
                    onChange={(event) => setHeader(set(header, index, event.target.value))}
                  />
                </Field>
              ))}
              {range(shape.body.variables).map((index) => (
                <Field key={`b${index}`} label={t("bodyVariable", { n: index + 1 })} htmlFor={`${id}-b${index}`}>
                  <Input
                    id={`${id}-b${index}`}
                    value={body[index] ?? ""}
                    onChange={(event) => setBody(set(body, index, event.target.value))}
                  />
                </Field>
              ))}
              {variableButtons.map((button) => (
                <Field
                  key={`u${button.index}`}
                  label={t("buttonVariable", { button: button.text })}
                  htmlFor={`${id}-u${button.index}`}
                >
                  <Input
                    id={`${id}-u${button.index}`}
                    value={buttons[button.index] ?? ""}
                    onChange={(event) => setButtons({ ...buttons, [button.index]: event.target.value })}
                  />
                </Field>
              ))}
            </div>
          </>
        ) : (
          <p className="text-sm text-muted-foreground">{t("noVariables")}</p>
        )}
      </div>
      <div
        className="min-w-0 rounded-lg bg-[#e5ddd5] p-3 dark:bg-[#0b141a]"
        aria-label={t("label", { name })}
        role="figure"
      >
        <div
          className="max-w-full rounded-lg bg-white p-2.5 text-sm text-[#111b21] shadow-sm dark:bg-[#202c33] dark:text-[#e9edef]"
          data-testid="template-bubble"
        >
          {shape.header?.format === "TEXT" ? (
            <p className="mb-1 font-semibold break-words" data-testid="template-bubble-header">
              {fill(shape.header.text, header)}
            </p>
          ) : shape.header ? (
            <div className="mb-2 flex h-24 items-center justify-center rounded bg-black/10 text-xs uppercase dark:bg-white/10">
              {t(
                `media.${shape.header.format === "UNKNOWN" ? "unknown" : (shape.header.format.toLowerCase() as "image")}`,
              )}
            </div>
          ) : null}
          <p className="break-words whitespace-pre-wrap" data-testid="template-bubble-body">
            {fill(shape.body.text, body)}
          </p>
          {shape.footer ? <p className="mt-1 text-xs text-[#54656f] dark:text-[#aebac1]">{shape.footer}</p> : null}
        </div>
        {shape.buttons.length > 0 ? (
          <div className="mt-1 space-y-1">
            {shape.buttons.map((button) => (
              <div
                key={button.index}
                className="rounded-lg bg-white px-2 py-1.5 text-center text-sm font-medium break-words text-[#027eb5] shadow-sm dark:bg-[#202c33] dark:text-[#53bdeb]"
              >
                {button.text}
                {button.url ? (
                  <span className="block text-xs font-normal break-all text-[#54656f] dark:text-[#aebac1]">
                    {fill(button.url, [buttons[button.index]])}
                  </span>
                ) : null}
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}
