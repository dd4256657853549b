"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useId, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { useModalDialog } from "~/components/ui/modal-dialog";
import { EvaluationRuns } from "./evaluation-runs";

export type TEvalQuestion = {
  id: string;
  question: string;
  mustContain: string[];
  mustNotContain: string[];
  expectHandoff: boolean;
};

const TEXTAREA =
  "min-h-20 w-full rounded-md border border-border bg-card px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-primary";

const lines = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

/**
 * A profile's evaluation set (questions with the facts a good answer must and must not hold),
 * "Run evaluation" with its progress, the history of runs and two runs side by side.
 */
export function EvaluationPanel({ profileId, canWrite }: { profileId: string; canWrite: boolean }) {
  const t = useTranslations("domain.evaluation.ui");
  const trpc = useTRPC();
  const questions = useQuery(trpc.evaluation.questions.queryOptions({ profileId }));
  const [editing, setEditing] = useState<TEvalQuestion | "new" | null>(null);
  const [deleting, setDeleting] = useState<TEvalQuestion | null>(null);
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.evaluation.deleteQuestion.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.evaluation.questions.pathKey() }),
    }),
  );
  const count = questions.data?.length ?? 0;
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-muted-foreground">{t("description")}</p>
      {questions.error ? <Alert tone="error">{describeError(questions.error).message}</Alert> : null}
      <section className="flex flex-col gap-2" aria-label={t("questionsLabel")}>
        <div className="flex flex-wrap items-center gap-2">
          <h3 className="text-sm font-medium">{t("questionsHeading", { count })}</h3>
          <div className="ml-auto flex flex-wrap gap-1">
            <CsvButtons profileId={profileId} canWrite={canWrite} count={count} />
            {canWrite && editing === null ? (
              <Button size="sm" variant="secondary" onClick={() => setEditing("new")}>
                {t("addQuestion")}
              </Button>
            ) : null}
          </div>
        </div>
        {editing === "new" ? (
          <QuestionForm profileId={profileId} question={null} onDone={() => setEditing(null)} />
        ) : null}
        {questions.data && count === 0 ? <p className="text-sm text-muted-foreground">{t("noQuestions")}</p> : null}
        <ol className="flex flex-col gap-2">
          {questions.data?.map((question, index) =>
            editing !== "new" && editing?.id === question.id ? (
              <li key={question.id}>
                <QuestionForm profileId={profileId} question={question} onDone={() => setEditing(null)} />
              </li>
            ) : (
              <li key={question.id} className="rounded-md border border-border px-3 py-2 text-sm">
                <div className="flex flex-wrap items-start gap-2">
                  <span className="text-muted-foreground">{index + 1}.</span>
                  <span className="min-w-0 flex-1 font-medium [overflow-wrap:anywhere]" translate="no">
                    {question.question}
                  </span>
                  {canWrite ? (
                    <div className="flex gap-1">
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={t("editNumber", { number: index + 1 })}
                        onClick={() => setEditing(question)}
                      >
                        {t("edit")}
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={t("deleteNumber", { number: index + 1 })}
                        onClick={() => setDeleting(question)}
                      >
                        {t("delete")}
                      </Button>
                    </div>
                  ) : null}
                </div>
                <QuestionChecks question={question} />
              </li>
            ),
          )}
        </ol>
        {remove.error ? <Alert tone="error">{describeError(remove.error).message}</Alert> : null}
      </section>
      <EvaluationRuns profileId={profileId} canWrite={canWrite} questionCount={count} />
      {deleting ? (
        <ConfirmDialog
          title={t("deleteTitle")}
          confirmLabel={t("delete")}
          tone="destructive"
          onConfirm={() => {
            remove.mutate({ profileId, id: deleting.id });
            setDeleting(null);
          }}
          onCancel={() => setDeleting(null)}
        >
          <span translate="no">{deleting.question}</span>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/**
 * The "Evaluation" button of a profile on the Profiles page, and the panel it opens (a side
 * sheet, the whole width on a phone).
 */
export function EvaluationButton({ profile, canWrite }: { profile: { id: string; name: string }; canWrite: boolean }) {
  const t = useTranslations("domain.evaluation.ui");
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="sm" variant="ghost" onClick={() => setOpen(true)}>
        {t("open")}
      </Button>
      {open ? <EvaluationSheet profile={profile} canWrite={canWrite} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function EvaluationSheet({
  profile,
  canWrite,
  onClose,
}: {
  profile: { id: string; name: string };
  canWrite: boolean;
  onClose: () => void;
}) {
  const t = useTranslations("domain.evaluation.ui");
  const common = useTranslations("common");
  const { ref: dialog, titleId, close } = useModalDialog();
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-0 ml-auto h-dvh max-h-none w-[min(56rem,100vw)] max-w-none border-l border-border bg-background p-0 text-foreground shadow-xl backdrop:bg-black/30"
    >
      <div className="sticky top-0 z-10 flex items-center justify-between gap-4 border-b border-border bg-card p-4">
        <h2 id={titleId} className="min-w-0 font-semibold [overflow-wrap:anywhere]">
          {t("title")} · <span translate="no">{profile.name}</span>
        </h2>
        <Button size="sm" variant="ghost" onClick={close}>
          {common("close")}
        </Button>
      </div>
      <div className="p-4">
        <EvaluationPanel profileId={profile.id} canWrite={canWrite} />
      </div>
    </dialog>
  );
}

/** The set as a CSV file, and questions added from one. */
function CsvButtons({ profileId, canWrite, count }: { profileId: string; canWrite: boolean; count: number }) {
  const t = useTranslations("domain.evaluation.ui");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [exportError, setExportError] = useState<string | null>(null);
  const importCsv = useMutation(
    trpc.evaluation.importCsv.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.evaluation.questions.pathKey() }),
    }),
  );
  const download = async () => {
    setExportError(null);
    try {
      const csv = await queryClient.fetchQuery(trpc.evaluation.exportCsv.queryOptions({ profileId }, { staleTime: 0 }));
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = "evaluation.csv";
      link.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      setExportError(describeError(error).message);
    }
  };
  return (
    <>
      {count > 0 ? (
        <Button size="sm" variant="ghost" onClick={() => void download()}>
          {t("exportCsv")}
        </Button>
      ) : null}
      {canWrite ? (
        <label className="inline-flex h-8 cursor-pointer items-center rounded-md px-3 text-sm font-medium focus-within:outline-2 focus-within:outline-primary hover:bg-muted">
          <input
            type="file"
            accept=".csv,text/csv"
            className="sr-only"
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = "";
              if (file) void file.text().then((csv) => importCsv.mutate({ profileId, csv }));
            }}
          />
          {t("importCsv")}
        </label>
      ) : null}
      {importCsv.data ? (
        <span role="status" className="basis-full text-sm">
          {t("imported", { count: importCsv.data.imported })}
        </span>
      ) : null}
      {importCsv.error || exportError ? (
        <div className="basis-full">
          <Alert tone="error">{exportError ?? describeError(importCsv.error).message}</Alert>
        </div>
      ) : null}
    </>
  );
}

/** What a question expects, in short: the facts, the forbidden texts, the hand-off. */
function QuestionChecks({ question }: { question: TEvalQuestion }) {
  const t = useTranslations("domain.evaluation.ui");
  return (
    <div className="mt-1 flex flex-wrap items-center gap-1 text-xs">
      {question.mustContain.map((fact) => (
        <Badge key={`+${fact}`} tone="success" title={t("mustContain")}>
          <span translate="no">{fact}</span>
        </Badge>
      ))}
      {question.mustNotContain.map((text) => (
        <Badge key={`-${text}`} tone="danger" title={t("mustNotContain")}>
          {t("notBadge")}&nbsp;<span translate="no">{text}</span>
        </Badge>
      ))}
      {question.expectHandoff ? <Badge tone="warning">{t("expectHandoffBadge")}</Badge> : null}
    </div>
  );
}

function QuestionForm({
  profileId,
  question,
  onDone,
}: {
  profileId: string;
  question: TEvalQuestion | null;
  onDone: () => void;
}) {
  const t = useTranslations("domain.evaluation.ui");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const save = useMutation(
    trpc.evaluation.saveQuestion.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.evaluation.questions.pathKey() });
        onDone();
      },
    }),
  );
  const error = save.error ? describeError(save.error) : null;
  const fieldError = (name: string) =>
    Object.entries(error?.fieldErrors ?? {}).find(([path]) => path.split(".").includes(name))?.[1];
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      profileId,
      id: question?.id ?? null,
      question: {
        question: formText(form, "question"),
        mustContain: lines(formText(form, "mustContain")),
        mustNotContain: lines(formText(form, "mustNotContain")),
        expectHandoff: form.get("expectHandoff") === "on",
      },
    });
  };
  return (
    <form
      className="grid gap-3 rounded-md border border-border p-3 md:grid-cols-2"
      onSubmit={submit}
      aria-label={question ? t("editQuestion") : t("newQuestion")}
    >
      <Field label={t("question")} htmlFor={`${id}-q`} error={fieldError("question")} className="md:col-span-2">
        <textarea
          id={`${id}-q`}
          name="question"
          className={TEXTAREA}
          defaultValue={question?.question ?? ""}
          required
          maxLength={2_000}
        />
      </Field>
      <Field
        label={t("mustContain")}
        htmlFor={`${id}-must`}
        hint={t("mustContainHint")}
        error={fieldError("mustContain")}
      >
        <textarea
          id={`${id}-must`}
          name="mustContain"
          className={TEXTAREA}
          defaultValue={(question?.mustContain ?? []).join("\n")}
        />
      </Field>
      <Field
        label={t("mustNotContain")}
        htmlFor={`${id}-mustnot`}
        hint={t("mustNotContainHint")}
        error={fieldError("mustNotContain")}
      >
        <textarea
          id={`${id}-mustnot`}
          name="mustNotContain"
          className={TEXTAREA}
          defaultValue={(question?.mustNotContain ?? []).join("\n")}
        />
      </Field>
      <label className="flex items-center gap-2 text-sm md:col-span-2">
        <input type="checkbox" name="expectHandoff" defaultChecked={question?.expectHandoff ?? false} />
        {t("expectHandoff")}
      </label>
      {error && Object.keys(error.fieldErrors).length === 0 ? (
        <div className="md:col-span-2">
          <Alert tone="error">{error.message}</Alert>
        </div>
      ) : null}
      <div className="flex flex-wrap gap-2 md:col-span-2">
        <Button type="submit" size="sm" disabled={save.isPending}>
          {save.isPending ? tc("saving") : t("saveQuestion")}
        </Button>
        <Button size="sm" variant="ghost" onClick={onDone}>
          {tc("cancel")}
        </Button>
      </div>
    </form>
  );
}
