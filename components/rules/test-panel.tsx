"use client";

import { useMutation } from "@tanstack/react-query";
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
import { FACTS, type TFactName } from "~/server/rules/facts";
import { OPERATORS, type TOperatorName } from "~/server/rules/operators";
import { CONTENT_KINDS, KIND_LABELS, type TContentKind } from "~/server/messages/content";
import { simulatedContent } from "~/server/messages/examples";

function Explanation({ node }: { node: TConditionExplanation }) {
  const mark = (
    <span
      className={
        node.result
          ? "text-[color:color-mix(in_oklab,var(--success)_60%,var(--foreground))]"
          : "text-[color:color-mix(in_oklab,var(--destructive)_70%,var(--foreground))]"
      }
    >
      {node.result ? "✓" : "✗"}
    </span>
  );
  if (node.kind === "fact") {
    return (
      <li>
        {mark} {FACTS[node.fact as TFactName]?.label ?? node.fact}{" "}
        {OPERATORS[node.operator as TOperatorName]?.label ?? node.operator} <code>{JSON.stringify(node.value)}</code>{" "}
        <span className="text-muted-foreground">(saw {JSON.stringify(node.factValue)})</span>
      </li>
    );
  }
  if (node.kind === "not") {
    return (
      <li>
        {mark} not
        <ul className="ml-4">
          <Explanation node={node.child} />
        </ul>
      </li>
    );
  }
  return (
    <li>
      {mark} {node.kind === "all" ? "all of" : "any of"}
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
  const trpc = useTRPC();
  const test = useMutation(trpc.rules.test.mutationOptions());
  const [text, setText] = useState("");
  const [at, setAt] = useState("");
  const [name, setName] = useState("Test contact");
  const [relationship, setRelationship] = useState<(typeof RELATIONSHIPS)[number]>("other");
  const [tags, setTags] = useState("");
  const [kind, setKind] = useState<TContentKind>("text");
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
      <CardHeader
        title="Test panel"
        description="Run a message through the draft: which rules match, why, and what would happen. Nothing is sent."
      />
      <CardBody>
        <form className="grid gap-3 md:grid-cols-5" onSubmit={submit}>
          <Field label="Message" htmlFor="test-text" className="md:col-span-2">
            <Input
              id="test-text"
              value={text}
              onChange={(event) => setText(event.target.value)}
              placeholder="What is the price?"
            />
          </Field>
          <Field label="Kind" htmlFor="test-kind">
            <Select id="test-kind" value={kind} onChange={(event) => setKind(event.target.value as TContentKind)}>
              {CONTENT_KINDS.map((option) => (
                <option key={option} value={option}>
                  {KIND_LABELS[option]}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Arrives at (default now)" htmlFor="test-at">
            <Input id="test-at" type="datetime-local" value={at} onChange={(event) => setAt(event.target.value)} />
          </Field>
          <Field label="Contact name" htmlFor="test-name">
            <Input id="test-name" value={name} onChange={(event) => setName(event.target.value)} />
          </Field>
          <Field label="Relationship" htmlFor="test-relationship">
            <Select
              id="test-relationship"
              value={relationship}
              onChange={(event) => setRelationship(event.target.value as typeof relationship)}
            >
              {RELATIONSHIPS.map((option) => (
                <option key={option}>{option}</option>
              ))}
            </Select>
          </Field>
          <Field label="Tags (comma-separated)" htmlFor="test-tags">
            <Input id="test-tags" value={tags} onChange={(event) => setTags(event.target.value)} />
          </Field>
          <div className="flex items-end">
            <Button type="submit" disabled={test.isPending}>
              {test.isPending ? "Testing…" : "Test"}
            </Button>
          </div>
        </form>
        {test.error ? <Alert tone="error">{describeError(test.error).message}</Alert> : null}
        {result ? (
          <div className="mt-4 grid gap-4 md:grid-cols-2" aria-label="Test result">
            <div>
              <h3 className="mb-1 text-sm font-medium">Rules</h3>
              <ol className="flex flex-col gap-2 text-sm">
                {result.rules.map((rule) => (
                  <li key={rule.id} className="rounded border border-border p-2">
                    <div className="font-medium">
                      {rule.name}:{" "}
                      {rule.skipped ? (
                        <span className="text-muted-foreground">skipped ({rule.skipped})</span>
                      ) : rule.matched ? (
                        <span className="text-[color:color-mix(in_oklab,var(--success)_60%,var(--foreground))]">
                          matched
                        </span>
                      ) : (
                        <span className="text-destructive">no match</span>
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
            <div className="text-sm">
              <h3 className="mb-1 font-medium">Would run</h3>
              {result.defaultApplied ? (
                <p className="text-muted-foreground">No rule matched: the default reply applies.</p>
              ) : null}
              <ol className="list-decimal pl-5">
                {result.actions.map((item, index) => (
                  <li key={index}>
                    {item.action.type} <span className="text-muted-foreground">({item.rule})</span>
                  </li>
                ))}
              </ol>
              {result.replies.length > 0 ? (
                <>
                  <h3 className="mt-3 mb-1 font-medium">Replies</h3>
                  {result.replies.map((reply, index) => (
                    <p key={index} className="rounded bg-muted p-2" data-testid="test-reply">
                      {reply.body}
                    </p>
                  ))}
                </>
              ) : null}
              {result.aiReplies > 0 ? (
                <p className="mt-2">
                  Then {result.aiReplies === 1 ? "an AI reply" : `${result.aiReplies} AI replies`}, written by the model
                  when the message arrives.
                </p>
              ) : null}
              {result.tags.add.length > 0 ? <p className="mt-2">Tags added: {result.tags.add.join(", ")}</p> : null}
              {result.handoff ? <p className="mt-2">Hands the conversation to a human.</p> : null}
            </div>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
