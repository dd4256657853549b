"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type ChangeEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import type { TImportPlan, TKindPlan } from "~/server/config-transfer/import";

/** Saves `text` as a file named `name` (the browser's download). */
function download(text: string, name: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

function ErrorList({ error }: { error: unknown }) {
  const { message, fieldErrors } = describeError(error);
  const entries = Object.entries(fieldErrors);
  return (
    <Alert tone="error">
      <p>{message}</p>
      {entries.length > 0 ? (
        <ul className="mt-2 list-disc pl-5 text-sm break-words">
          {entries.map(([where, what]) => (
            <li key={where}>
              <span className="font-medium">{where}</span>: {what}
            </li>
          ))}
        </ul>
      ) : null}
    </Alert>
  );
}

function KindDiff({ plan }: { plan: TKindPlan }) {
  const t = useTranslations("domain.configTransfer");
  const total =
    plan.added.length + plan.changed.length + plan.unchanged.length + plan.removed.length + plan.kept.length;
  if (total === 0) return null;
  const list = (label: "diff.added" | "diff.removed" | "diff.kept", names: string[], tone: string) =>
    names.length > 0 ? (
      <div>
        <p className={`text-sm font-medium ${tone}`}>{t(label, { count: names.length })}</p>
        <ul className="ml-5 list-disc text-sm break-words">
          {names.map((name) => (
            <li key={name}>{name}</li>
          ))}
        </ul>
      </div>
    ) : null;
  return (
    <section className="grid gap-2 rounded-md border border-border p-3" data-kind={plan.kind}>
      <h3 className="font-semibold">{t(`kinds.${plan.kind}`)}</h3>
      {list("diff.added", plan.added, "text-green-700 dark:text-green-400")}
      {plan.changed.length > 0 ? (
        <div>
          <p className="text-sm font-medium text-amber-700 dark:text-amber-400">
            {t("diff.changed", { count: plan.changed.length })}
          </p>
          <ul className="ml-5 list-disc text-sm">
            {plan.changed.map((item) => (
              <li key={item.name} className="break-words">
                {item.name}
                <ul className="ml-4 list-[circle]">
                  {item.changes.map((change) => (
                    <li key={change.field} className="break-all">
                      <code>{change.field}</code>: <span className="text-muted-foreground">{t("diff.before")}</span>{" "}
                      <code>{change.before}</code> → <span className="text-muted-foreground">{t("diff.after")}</span>{" "}
                      <code>{change.after}</code>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {list("diff.removed", plan.removed, "text-red-700 dark:text-red-400")}
      {list("diff.kept", plan.kept, "text-muted-foreground")}
      {plan.unchanged.length > 0 ? (
        <p className="text-sm text-muted-foreground">{t("diff.unchanged", { count: plan.unchanged.length })}</p>
      ) : null}
    </section>
  );
}

/**
 * Settings → Configuration: downloads this instance's configuration as a JSON file, and imports
 * one: the file is compared first (the diff), and applied only when the admin says so.
 */
export function ConfigTransfer({ canImport }: { canImport: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("domain.configTransfer");
  const queryClient = useQueryClient();
  const [file, setFile] = useState<{ document: unknown; plan: TImportPlan } | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [applied, setApplied] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  const plan = useMutation(trpc.configTransfer.planImport.mutationOptions());
  const apply = useMutation(trpc.configTransfer.applyImport.mutationOptions());

  const exportNow = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const document = await queryClient.fetchQuery({
        ...trpc.configTransfer.exportConfiguration.queryOptions(),
        staleTime: 0,
      });
      download(
        `${JSON.stringify(document, null, 2)}\n`,
        `switchboard-config-${new Date().toISOString().slice(0, 10)}.json`,
      );
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  };

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    event.target.value = "";
    setFile(null);
    setApplied(false);
    setReadError(null);
    plan.reset();
    apply.reset();
    if (!chosen) return;
    let document: unknown;
    try {
      document = JSON.parse(await chosen.text());
    } catch {
      setReadError(t("errors.notJson"));
      return;
    }
    plan.mutate({ document }, { onSuccess: (result) => setFile({ document, plan: result }) });
  };

  const applyNow = () => {
    if (!file) return;
    apply.mutate(
      { document: file.document, planHash: file.plan.planHash },
      {
        onSuccess: () => {
          setFile(null);
          setApplied(true);
          void queryClient.invalidateQueries();
        },
      },
    );
  };

  return (
    <div className="grid gap-6">
      <Card>
        <CardHeader title={t("export.heading")} description={t("export.help")} />
        <CardBody className="grid gap-3">
          {exportError ? <ErrorList error={exportError} /> : null}
          <div>
            <Button onClick={() => void exportNow()} disabled={exporting} className="w-full sm:w-auto">
              {exporting ? t("export.busy") : t("export.button")}
            </Button>
          </div>
        </CardBody>
      </Card>
      <Card>
        <CardHeader title={t("import.heading")} description={t("import.help")} />
        <CardBody className="grid gap-4">
          {!canImport ? (
            <p className="text-sm text-muted-foreground">{t("import.adminOnly")}</p>
          ) : (
            <>
              <label className="grid gap-1 text-sm font-medium">
                {t("import.choose")}
                <input
                  type="file"
                  accept="application/json,.json"
                  onChange={(event) => void choose(event)}
                  className="block w-full text-sm file:mr-3 file:rounded-md file:border file:border-border file:bg-card file:px-3 file:py-1.5"
                />
              </label>
              {plan.isPending ? <p className="text-sm text-muted-foreground">{t("import.reading")}</p> : null}
              {readError ? <Alert tone="error">{readError}</Alert> : null}
              {plan.error ? <ErrorList error={plan.error} /> : null}
              {apply.error ? <ErrorList error={apply.error} /> : null}
              {applied ? <Alert tone="success">{t("import.applied")}</Alert> : null}
              {file ? (
                <div className="grid gap-3" aria-label={t("import.heading")}>
                  {!file.plan.hasChanges ? <Alert tone="info">{t("import.nothing")}</Alert> : null}
                  {file.plan.warnings.length > 0 ? (
                    <Alert tone="warning">
                      <p className="font-medium">{t("warnings.heading")}</p>
                      <ul className="mt-1 list-disc pl-5 text-sm break-words">
                        {file.plan.warnings.map((warning) => (
                          <li key={`${warning.code}:${warning.name}`}>
                            {t(`warnings.${warning.code}`, { name: warning.name })}
                          </li>
                        ))}
                      </ul>
                    </Alert>
                  ) : null}
                  {file.plan.kinds.map((kind) => (
                    <KindDiff key={kind.kind} plan={kind} />
                  ))}
                  <div className="flex flex-col gap-2 sm:flex-row">
                    <Button onClick={applyNow} disabled={!file.plan.hasChanges || apply.isPending}>
                      {apply.isPending ? t("import.applying") : t("import.apply")}
                    </Button>
                    <Button variant="secondary" onClick={() => setFile(null)}>
                      {t("import.cancel")}
                    </Button>
                  </div>
                </div>
              ) : null}
            </>
          )}
        </CardBody>
      </Card>
    </div>
  );
}
