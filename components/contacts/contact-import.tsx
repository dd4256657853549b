"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import { Table, Td, Th } from "~/components/ui/table";
import type { TFieldTarget, TImportMapping, TImportTarget, TRejectedRow } from "~/server/contacts/import";

/** Mirrors MAX_IMPORT_BYTES on the server, to refuse a too-large file before sending it. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

const TARGETS: readonly TImportTarget[] = [
  "phone",
  "name",
  "relationship",
  "priority",
  "tags",
  "notes",
  "profile",
  "optedIn",
  "optedOut",
  "blocked",
  "ignore",
];

/**
 * Import contacts from a CSV file: choose the file, check the suggested column mapping against
 * a preview, then import every valid row in one go; rejected rows are listed by line and can be
 * downloaded to fix and import again.
 */
export function ContactImport() {
  const trpc = useTRPC();
  const t = useTranslations("contacts");
  const tCommon = useTranslations("common");
  const tConsent = useTranslations("domain.consent.contact");
  const format = useFormatter();
  const number = (value: number) => format.number(value);
  const yesNo = (value: boolean | null) => (value === null ? "" : value ? tCommon("yes") : tCommon("no"));
  const queryClient = useQueryClient();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [mapping, setMapping] = useState<TImportMapping | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const preview = useMutation(
    trpc.contacts.importPreview.mutationOptions({
      // The first preview suggests the mapping; after that the selects own it.
      onSuccess: (data) => setMapping((current) => current ?? data.mapping),
    }),
  );
  const run = useMutation(
    trpc.contacts.import.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() }),
    }),
  );

  const choose = async (chosen: File | undefined) => {
    setFileError(null);
    setMapping(null);
    preview.reset();
    run.reset();
    setFile(null);
    if (!chosen) return;
    if (chosen.size > MAX_FILE_BYTES) {
      setFileError(t("import.tooLarge"));
      return;
    }
    const text = await chosen.text();
    setFile({ name: chosen.name, text });
    preview.mutate({ csv: text, fileName: chosen.name });
  };
  const remap = (header: string, target: TImportTarget | TFieldTarget) => {
    if (!file || !mapping) return;
    const next = { ...mapping, [header]: target };
    setMapping(next);
    preview.mutate({ csv: file.text, fileName: file.name, mapping: next });
  };
  const startOver = () => {
    setFile(null);
    setMapping(null);
    preview.reset();
    run.reset();
  };

  const data = preview.data;
  const error = preview.error ?? run.error;
  const mapped = new Set(Object.values(mapping ?? {}));
  const canImport =
    !!file && !!mapping && !!data && !data.mappingError && data.valid > 0 && !preview.isPending && !run.isPending;

  if (run.data) {
    return <ImportResult fileName={file?.name ?? "import"} result={run.data} onAgain={startOver} />;
  }

  return (
    <div className="flex flex-col gap-4">
      <Card>
        <CardHeader
          title={t("import.chooseTitle")}
          description={t("import.chooseDescription")}
          actions={
            <Link
              className="inline-flex h-8 shrink-0 items-center rounded-md px-3 text-sm hover:bg-muted"
              href="/contacts"
            >
              {t("import.backToContacts")}
            </Link>
          }
        />
        <CardBody className="flex flex-col gap-3">
          <Field label={t("import.file")} htmlFor="import-file" error={fileError ?? undefined}>
            <Input
              id="import-file"
              type="file"
              accept=".csv,.tsv,.txt,text/csv,text/plain"
              className="h-auto w-full min-w-0 py-1.5"
              onChange={(event) => void choose(event.target.files?.[0])}
            />
          </Field>
          {error ? <Alert tone="error">{describeError(error).message}</Alert> : null}
          {preview.isPending ? <p className="text-sm text-muted-foreground">{t("import.reading")}</p> : null}
        </CardBody>
      </Card>

      {data && mapping ? (
        <>
          <Card>
            <CardHeader title={t("import.columnsTitle")} description={t("import.columnsDescription")} />
            <CardBody>
              <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
                {data.headers.map((header, index) => (
                  <Field key={header} label={header} htmlFor={`import-column-${index}`}>
                    <Select
                      id={`import-column-${index}`}
                      value={mapping[header] ?? "ignore"}
                      onChange={(event) => remap(header, event.target.value as TImportTarget | TFieldTarget)}
                    >
                      {TARGETS.map((target) => (
                        <option key={target} value={target}>
                          {target === "optedIn" ? tConsent("optedIn") : t(`import.target.${target}`)}
                        </option>
                      ))}
                      {/* The custom fields of Settings → Contact fields. */}
                      {(data.fields ?? []).map((field) => (
                        <option key={field.key} value={`field.${field.key}`}>
                          {field.label}
                        </option>
                      ))}
                    </Select>
                  </Field>
                ))}
              </div>
              {data.mappingError ? (
                <Alert tone="warning" className="mt-3">
                  {data.mappingError}
                </Alert>
              ) : null}
            </CardBody>
          </Card>

          {data.mappingError ? null : (
            <Card>
              <CardHeader
                title={t("import.previewTitle")}
                description={t("import.previewDescription", {
                  rows: data.rows,
                  file: file?.name ?? t("import.theFile"),
                  valid: number(data.valid),
                  toCreate: number(data.toCreate),
                  toUpdate: number(data.toUpdate),
                  rejected: number(data.rejected.length),
                })}
                actions={
                  <Button
                    className="shrink-0"
                    disabled={!canImport}
                    onClick={() => file && mapping && run.mutate({ csv: file.text, fileName: file.name, mapping })}
                  >
                    {run.isPending ? t("import.importing") : t("import.submit", { count: data.valid })}
                  </Button>
                }
              />
              <CardBody className="flex flex-col gap-4">
                <Table aria-label={t("import.firstRows")}>
                  <thead>
                    <tr>
                      <Th>{t("import.line")}</Th>
                      <Th>{t("import.number")}</Th>
                      {mapped.has("name") ? <Th>{t("import.name")}</Th> : null}
                      {mapped.has("relationship") ? <Th>{t("import.relationship")}</Th> : null}
                      {mapped.has("priority") ? <Th>{t("import.priority")}</Th> : null}
                      {mapped.has("tags") ? <Th>{t("import.tags")}</Th> : null}
                      {mapped.has("notes") ? <Th>{t("import.notes")}</Th> : null}
                      {mapped.has("profile") ? <Th>{t("import.profile")}</Th> : null}
                      {mapped.has("optedIn") ? <Th>{tConsent("optedIn")}</Th> : null}
                      {mapped.has("optedOut") ? <Th>{t("import.optedOut")}</Th> : null}
                      {mapped.has("blocked") ? <Th>{t("import.blocked")}</Th> : null}
                      <Th>{t("import.status")}</Th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.sample.map((row) => (
                      <tr key={row.line}>
                        <Td className="text-muted-foreground">{row.line}</Td>
                        <Td className="font-mono text-xs">{row.phone}</Td>
                        {mapped.has("name") ? <Td>{row.name}</Td> : null}
                        {mapped.has("relationship") ? <Td>{row.relationship}</Td> : null}
                        {mapped.has("priority") ? <Td>{row.priority}</Td> : null}
                        {mapped.has("tags") ? <Td>{row.tags?.join(", ")}</Td> : null}
                        {mapped.has("notes") ? (
                          <Td className="max-w-64 truncate" title={row.notes ?? undefined}>
                            {row.notes}
                          </Td>
                        ) : null}
                        {mapped.has("profile") ? <Td>{row.profile}</Td> : null}
                        {mapped.has("optedIn") ? <Td>{yesNo(row.optedIn)}</Td> : null}
                        {mapped.has("optedOut") ? <Td>{yesNo(row.optedOut)}</Td> : null}
                        {mapped.has("blocked") ? <Td>{yesNo(row.blocked)}</Td> : null}
                        <Td>
                          {row.reason ? (
                            <span className="text-destructive">{row.reason}</span>
                          ) : (
                            <Badge tone="success">{t("import.ok")}</Badge>
                          )}
                        </Td>
                      </tr>
                    ))}
                  </tbody>
                </Table>
                {data.rows > data.sample.length ? (
                  <p className="text-xs text-muted-foreground">
                    {t("import.sampleOf", { sample: number(data.sample.length), rows: number(data.rows) })}
                  </p>
                ) : null}
                {data.rejected.length > 0 ? (
                  <div>
                    <h3 className="mb-2 text-sm font-medium">
                      {t("import.rejectedTitle", { count: number(data.rejected.length) })}
                    </h3>
                    <RejectedRows rows={data.rejected} />
                  </div>
                ) : null}
              </CardBody>
            </Card>
          )}
        </>
      ) : null}
    </div>
  );
}

function RejectedRows({ rows }: { rows: readonly TRejectedRow[] }) {
  const t = useTranslations("contacts");
  return (
    <div className="max-h-96 overflow-y-auto rounded-md border border-border">
      <Table aria-label={t("import.rejectedTable")}>
        <thead>
          <tr>
            <Th>{t("import.line")}</Th>
            <Th>{t("import.number")}</Th>
            <Th>{t("import.reason")}</Th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.line}>
              <Td className="text-muted-foreground">{row.line}</Td>
              <Td className="font-mono text-xs">{row.phone}</Td>
              <Td>{row.reason}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}

function ImportResult({
  fileName,
  result,
  onAgain,
}: {
  fileName: string;
  result: { created: number; updated: number; rejected: TRejectedRow[]; rejectedCsv: string };
  onAgain: () => void;
}) {
  const t = useTranslations("contacts");
  const format = useFormatter();
  const number = (value: number) => format.number(value);
  const download = () => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([result.rejectedCsv], { type: "text/csv;charset=utf-8" }));
    link.download = `${fileName.replace(/\.[^.]*$/, "")}-rejected.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <Card>
      <CardHeader
        title={t("import.finished")}
        description={t("import.finishedDescription", {
          file: fileName,
          created: result.created,
          updated: number(result.updated),
          rejected: result.rejected.length,
        })}
        actions={
          <div className="flex flex-wrap justify-end gap-2">
            <Button size="sm" variant="secondary" onClick={onAgain}>
              {t("import.again")}
            </Button>
            <Link
              className="inline-flex h-8 items-center rounded-md bg-primary px-3 text-sm font-medium text-primary-foreground hover:opacity-90"
              href="/contacts"
            >
              {t("import.goToContacts")}
            </Link>
          </div>
        }
      />
      <CardBody className="flex flex-col gap-3">
        <Alert tone="success">{t("import.summary", { created: result.created, updated: result.updated })}</Alert>
        {result.rejected.length > 0 ? (
          <>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <h3 className="text-sm font-medium">
                {t("import.rejectedAfter", { count: number(result.rejected.length) })}
              </h3>
              <Button size="sm" variant="secondary" onClick={download}>
                {t("import.download")}
              </Button>
            </div>
            <p className="text-xs text-muted-foreground">{t("import.downloadHint")}</p>
            <RejectedRows rows={result.rejected} />
          </>
        ) : null}
      </CardBody>
    </Card>
  );
}
