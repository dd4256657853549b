"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { TraceSteps, VariableList, useFlowRunLabels, type TTraceStep } from "~/components/flow-runs/trace-steps";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { cn } from "~/components/ui/cn";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import type { TFlowTestInput, TFlowTestResult, TTestReply } from "~/server/flows/test-run";

type TBubble = { key: number } & ({ said: string } | { reply: TTestReply });

/**
 * The flow editor's Test panel: runs the DRAFT one input at a time (flowRuns.test) as a chosen
 * contact or a sample one, with buttons or a numbered menu; shows the conversation, the
 * variables and the steps taken, the current one highlighted. Nothing is sent or saved. `onStep`
 * lets the editor select on the canvas a step the person clicks in the steps taken.
 */
export function FlowTestPanel({
  flowId,
  onStep,
  className,
}: {
  flowId: string;
  onStep?: (stepId: string) => void;
  className?: string;
}) {
  const t = useTranslations("flowRuns.test");
  const { outcome, time } = useFlowRunLabels();
  const trpc = useTRPC();
  const ids = useId();
  const [buttons, setButtons] = useState(false);
  const [search, setSearch] = useState("");
  const [contactId, setContactId] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [bubbles, setBubbles] = useState<TBubble[]>([]);
  const [steps, setSteps] = useState<TTraceStep[]>([]);
  const [last, setLast] = useState<TFlowTestResult | null>(null);
  const [fields, setFields] = useState<Record<string, string | number | boolean | null>>({});
  const counter = useRef(0);
  const log = useRef<HTMLDivElement>(null);
  const contacts = useQuery({
    ...trpc.contacts.list.queryOptions({ search: search.trim() || undefined, limit: 20, sort: "recent" }),
    placeholderData: keepPreviousData,
  });
  const test = useMutation(trpc.flowRuns.test.mutationOptions());

  const next = () => (counter.current += 1);
  const send = (input: TFlowTestInput["input"], said?: string) => {
    const restart = input.kind === "start";
    test.mutate(
      {
        flowId,
        contactId,
        buttons,
        state: restart ? null : (last?.state ?? null),
        fields: restart ? {} : fields,
        input,
      },
      {
        onSuccess: (result) => {
          const shown: TBubble[] = said !== undefined ? [{ key: next(), said }] : [];
          const replies: TBubble[] = result.replies.map((reply) => ({ key: next(), reply }));
          setBubbles((current) => [...(restart ? [] : current), ...shown, ...replies]);
          const traced = result.trace.map((entry) => ({ ...entry, key: next() }));
          setSteps((current) => [...(restart ? [] : current), ...traced]);
          setFields((current) => ({ ...(restart ? {} : current), ...result.fields }));
          setLast(result);
        },
      },
    );
  };
  const reset = () => {
    setBubbles([]);
    setSteps([]);
    setLast(null);
    setFields({});
  };
  // Another flow: the test starts over (during render, as React recommends for a prop change).
  const [testedFlow, setTestedFlow] = useState(flowId);
  if (testedFlow !== flowId) {
    setTestedFlow(flowId);
    reset();
  }
  useEffect(() => {
    const element = log.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [bubbles.length]);

  const answer = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim() || last?.waiting !== "answer") return;
    send({ kind: "message", text }, text);
    setText("");
  };
  const running = last !== null && last.waiting !== "ended";
  const lastChoice = [...bubbles].reverse().find((bubble) => "reply" in bubble && bubble.reply.kind === "choice");

  return (
    <Card className={cn("flex min-w-0 flex-col", className)}>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label={t("contact")} htmlFor={`${ids}-search`}>
            <div className="flex flex-col gap-2">
              <Input
                id={`${ids}-search`}
                type="search"
                value={search}
                onChange={(event) => setSearch(event.target.value)}
                placeholder={t("searchContact")}
              />
              <Select
                aria-label={t("contact")}
                value={contactId ?? ""}
                onChange={(event) => {
                  setContactId(event.target.value || null);
                  reset();
                }}
              >
                <option value="">{t("sampleContact")}</option>
                {(contacts.data?.contacts ?? []).map((contact) => (
                  <option key={contact.id} value={contact.id} translate="no">
                    {contact.name ? `${contact.name} (${contact.waId})` : contact.waId}
                  </option>
                ))}
              </Select>
            </div>
          </Field>
          <Field label={t("engine")} htmlFor={`${ids}-engine`}>
            <Select
              id={`${ids}-engine`}
              value={buttons ? "buttons" : "numbered"}
              onChange={(event) => {
                setButtons(event.target.value === "buttons");
                reset();
              }}
            >
              <option value="numbered">{t("numbered")}</option>
              <option value="buttons">{t("buttons")}</option>
            </Select>
          </Field>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => send({ kind: "start" })} disabled={test.isPending}>
            {last ? t("restart") : t("start")}
          </Button>
          {last?.waiting === "delay" || (last?.waiting === "answer" && last.deadline) ? (
            <Button variant="secondary" onClick={() => send({ kind: "deadline" })} disabled={test.isPending}>
              {t("skipWait")}
            </Button>
          ) : null}
        </div>
        {test.error ? <Alert tone="error">{describeError(test.error).message}</Alert> : null}

        <section aria-labelledby={`${ids}-conversation`}>
          <h3 id={`${ids}-conversation`} className="mb-2 text-sm font-semibold">
            {t("conversation")}
          </h3>
          <div
            ref={log}
            role="log"
            aria-live="polite"
            className="max-h-96 min-h-24 space-y-2 overflow-y-auto rounded-md border border-border bg-background/60 p-3"
          >
            {bubbles.length === 0 ? <p className="text-sm text-muted-foreground">{t("notStarted")}</p> : null}
            {bubbles.map((bubble) =>
              "said" in bubble ? (
                <div key={bubble.key} className="flex justify-end">
                  <p className="max-w-[85%] rounded-lg bg-primary px-3 py-2 text-sm whitespace-pre-wrap text-primary-foreground [overflow-wrap:anywhere]">
                    <span className="sr-only">{t("you")}: </span>
                    {bubble.said}
                  </p>
                </div>
              ) : (
                <Reply
                  key={bubble.key}
                  reply={bubble.reply}
                  active={bubble === lastChoice && last?.waiting === "answer"}
                  disabled={test.isPending}
                  onChoose={(option) => send({ kind: "choose", optionId: option.id }, option.title)}
                />
              ),
            )}
            {last?.waiting === "delay" && last.deadline ? (
              <p className="text-center text-xs text-muted-foreground">
                {t("waitingUntil", { time: time(last.deadline) })}
              </p>
            ) : null}
            {last?.ended ? (
              <p className="text-center text-xs font-medium text-muted-foreground">
                {t("ended", { outcome: outcome(last.ended.outcome) })}
                {last.handoff ? ` ${t("handoff")}` : ""}
                {last.gotoFlowId ? ` ${t("gotoFlow")}` : ""}
              </p>
            ) : null}
          </div>
          <form onSubmit={answer} className="mt-2 flex gap-2">
            <label htmlFor={`${ids}-answer`} className="sr-only">
              {t("answer")}
            </label>
            <Input
              id={`${ids}-answer`}
              value={text}
              onChange={(event) => setText(event.target.value)}
              placeholder={t("answerPlaceholder")}
              disabled={!running || last?.waiting !== "answer"}
              maxLength={4_096}
            />
            <Button type="submit" disabled={!running || last?.waiting !== "answer" || test.isPending || !text.trim()}>
              {t("send")}
            </Button>
          </form>
        </section>

        <div className="grid gap-4 lg:grid-cols-2 [&>*]:min-w-0">
          <section aria-labelledby={`${ids}-variables`} className="space-y-3">
            <div>
              <h3 id={`${ids}-variables`} className="mb-2 text-sm font-semibold">
                {t("variables")}
              </h3>
              <VariableList variables={last?.variables ?? {}} empty={t("noVariables")} />
            </div>
            {Object.keys(fields).length > 0 ? (
              <div>
                <h3 className="mb-2 text-sm font-semibold">{t("fields")}</h3>
                <VariableList variables={fields} empty={t("noVariables")} />
              </div>
            ) : null}
          </section>
          <section aria-labelledby={`${ids}-steps`}>
            <h3 id={`${ids}-steps`} className="mb-2 text-sm font-semibold">
              {t("steps")}
            </h3>
            {steps.length === 0 ? (
              <p className="text-sm text-muted-foreground">{t("noSteps")}</p>
            ) : (
              <TraceSteps steps={steps} currentStepId={running ? last?.stepId : null} onStep={onStep} />
            )}
          </section>
        </div>
      </CardBody>
    </Card>
  );
}

/** A reply as the contact sees it: text, a choice with its options as buttons, a file, an AI reply. */
function Reply({
  reply,
  active,
  disabled,
  onChoose,
}: {
  reply: TTestReply;
  active: boolean;
  disabled: boolean;
  onChoose: (option: { id: string; title: string }) => void;
}) {
  const t = useTranslations("flowRuns.test");
  const bubble =
    "max-w-[85%] rounded-lg border border-border bg-card px-3 py-2 text-sm whitespace-pre-wrap [overflow-wrap:anywhere]";
  const bot = <span className="sr-only">{t("bot")}: </span>;
  switch (reply.kind) {
    case "text":
      return (
        <p className={bubble}>
          {bot}
          {reply.text}
        </p>
      );
    case "ai":
      return (
        <p className={cn(bubble, "text-muted-foreground italic")}>
          {bot}
          {t("aiReply")}
        </p>
      );
    case "media":
      return (
        <p className={bubble}>
          {bot}
          {t("media", { kind: reply.mediaKind, caption: reply.caption || (reply.fileName ?? "") })}
        </p>
      );
    case "choice":
      return (
        <div className={cn(bubble, "space-y-2")}>
          <p>
            {bot}
            {reply.text}
          </p>
          <div className="flex flex-col gap-1.5">
            {reply.options.map((option) => (
              <Button
                key={option.id}
                variant="secondary"
                size="sm"
                className="h-auto min-h-8 justify-start py-1 text-left whitespace-normal"
                disabled={!active || disabled}
                onClick={() => onChoose(option)}
              >
                {option.title}
              </Button>
            ))}
          </div>
        </div>
      );
  }
}
