"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import type { TConditionExplanation } from "~/server/rules/engine";
import { CONTACT_KINDS, type TContactKind } from "~/server/messages/content";
import { simulatedContent } from "~/server/messages/examples";
import { useRuleLabels } from "./labels";

/** A condition's value as people read it: lists joined, choices and yes/no translated. */
function shownValue(value: unknown, fact: string | null, labels: ReturnType<typeof useRuleLabels>): string {
  if (Array.isArray(value)) return value.map((item) => shownValue(item, fact, labels)).join(", ");
  if (fact && (typeof value === "string" || typeof value === "boolean")) return labels.value(fact, value);
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  return value === null || value === undefined ? "—" : JSON.stringify(value);
}

function Explanation({ node }: { node: TConditionExplanation }) {
  const t = useTranslations("rules.test");
  const labels = useRuleLabels();
  const mark = (
    <span
      className={
        node.result
          ? "text-[color:color-mix(in_oklab,var(--success)_60%,var(--foreground))]"
          : "text-[color:color-mix(in_oklab,var(--destructive)_70%,var(--foreground))]"
      }
    >
      <span aria-hidden>{node.result ? "✓" : "✗"}</span>
      <span className="sr-only">{node.result ? t("passed") : t("failed")}</span>
    </span>
  );
  if (node.kind === "fact") {
    return (
      <li>
        {mark} {labels.fact(node.fact)} {labels.operator(node.operator)}{" "}
        <code className="break-all">{shownValue(node.value, node.fact, labels)}</code>{" "}
        <span className="break-all text-muted-foreground">
          {t("saw", { value: shownValue(node.factValue, node.fact, labels) })}
        </span>
      </li>
    );
  }
  if (node.kind === "not") {
    return (
      <li>
        {mark} {t("not")}
        <ul className="ml-4">
          <Explanation node={node.child} />
        </ul>
      </li>
    );
  }
  return (
    <li>
      {mark} {node.kind === "all" ? t("all") : t("any")}
      <ul className="ml-4">
        {node.children.map((child, index) => (
          <Explanation key={index} node={child} />
        ))}
      </ul>
    </li>
  );
}

/** Dry run of the draft: no message is sent, nothing is stored. */
export function TestPanel() {
  const t = useTranslations("rules.test");
  const tk = useTranslations("rules.choices");
  const ta = useTranslations("rules.actions.short");
  const trpc = useTRPC();
  const test = useMutation(trpc.rules.test.mutationOptions());
  const [text, setText] = useState("");
  const [at, setAt] = useState("");
  const [name, setName] = useState(() => t("defaultContactName"));
  const [relationship, setRelationship] = useState<(typeof RELATIONSHIPS)[number]>("other");
  const [tags, setTags] = useState("");
  const [kind, setKind] = useState<TContactKind>("text");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    test.mutate({
      text,
      // Another kind: its example with the text in it (a caption, a place's name…), as the Simulator sends.
      ...(kind === "text" ? {} : { content: simulatedContent(kind, text, "test-panel-message") }),
      ...(at ? { at: new Date(at) } : {}),
      contact: {
        name,
        relationship,
        tags: tags
          .split(",")
          .map((tag) => tag.trim())
          .filter(Boolean),
      },
    });
  };
  const result = test.data;
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody>
        <form className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5" onSubmit={submit}>
          <Field label={t("message")} htmlFor="test-text" className="sm:col-span-2">
            <Input
              id="test-text"
              value={text}
              onChange={(event) => setText(event.target.value)}
              placeholder={t("messagePlaceholder")}
            />
          </Field>
          <Field label={t("kind")} htmlFor="test-kind">
            <Select id="test-kind" value={kind} onChange={(event) => setKind(event.target.value as TContactKind)}>
              {CONTACT_KINDS.map((option) => (
                <option key={option} value={option}>
                  {tk(`kind.${option}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t("at")} htmlFor="test-at">
            <Input id="test-at" type="datetime-local" value={at} onChange={(event) => setAt(event.target.value)} />
          </Field>
          <Field label={t("contactName")} htmlFor="test-name">
            <Input id="test-name" value={name} onChange={(event) => setName(event.target.value)} />
          </Field>
          <Field label={t("relationship")} htmlFor="test-relationship">
            <Select
              id="test-relationship"
              value={relationship}
              onChange={(event) => setRelationship(event.target.value as typeof relationship)}
            >
              {RELATIONSHIPS.map((option) => (
                <option key={option} value={option}>
                  {tk(`relationship.${option}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t("tags")} htmlFor="test-tags">
            <Input id="test-tags" value={tags} onChange={(event) => setTags(event.target.value)} />
          </Field>
          <div className="flex items-end">
            <Button type="submit" disabled={test.isPending}>
              {test.isPending ? t("testing") : t("test")}
            </Button>
          </div>
        </form>
        {test.error ? <Alert tone="error">{describeError(test.error).message}</Alert> : null}
        {result ? (
          <div className="mt-4 grid gap-4 md:grid-cols-2" aria-label={t("result")}>
            <div className="min-w-0">
              <h3 className="mb-1 text-sm font-medium">{t("rules")}</h3>
              <ol className="flex flex-col gap-2 text-sm">
                {result.rules.map((rule) => (
                  <li key={rule.id} className="rounded border border-border p-2">
                    <div className="font-medium">
                      {rule.name}:{" "}
                      {rule.skipped ? (
                        <span className="text-muted-foreground">{t("skipped", { reason: rule.skipped })}</span>
                      ) : rule.matched ? (
                        <span className="text-[color:color-mix(in_oklab,var(--success)_60%,var(--foreground))]">
                          {t("matched")}
                        </span>
                      ) : (
                        <span className="text-destructive">{t("noMatch")}</span>
                      )}
                    </div>
                    {rule.conditions ? (
                      <ul className="mt-1 text-xs">
                        <Explanation node={rule.conditions} />
                      </ul>
                    ) : null}
                  </li>
                ))}
              </ol>
            </div>
            <div className="min-w-0 text-sm">
              <h3 className="mb-1 font-medium">{t("wouldRun")}</h3>
              {result.defaultApplied ? <p className="text-muted-foreground">{t("defaultApplies")}</p> : null}
              <ol className="list-decimal pl-5">
                {result.actions.map((item, index) => (
                  <li key={index}>
                    {ta(item.action.type)} <span className="text-muted-foreground">({item.rule})</span>
                  </li>
                ))}
              </ol>
              {result.replies.length > 0 ? (
                <>
                  <h3 className="mt-3 mb-1 font-medium">{t("replies")}</h3>
                  {result.replies.map((reply, index) => (
                    <p key={index} className="rounded bg-muted p-2 break-words" data-testid="test-reply">
                      {reply.body}
                    </p>
                  ))}
                </>
              ) : null}
              {result.aiReplies > 0 ? <p className="mt-2">{t("aiReplies", { count: result.aiReplies })}</p> : null}
              {result.tags.add.length > 0 ? (
                <p className="mt-2">{t("tagsAdded", { tags: result.tags.add.join(", ") })}</p>
              ) : null}
              {result.handoff ? <p className="mt-2">{t("handoff")}</p> : null}
            </div>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
