"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Input } from "~/components/ui/input";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { slugOfTitle } from "~/server/rules/schema";

/** Saves a JSON document as a file named after the flow. */
export function downloadJson(data: unknown, name: string) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  link.download = `${slugOfTitle(name) || "flow"}.flow.json`;
  link.click();
  URL.revokeObjectURL(link.href);
}

/** Imports a flow from a JSON file (a new flow: nothing existing changes), then `onImported(id)`. */
export function useFlowImport(onImported: (id: string) => void) {
  const t = useTranslations("flows.list");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mutation = useMutation(
    trpc.flows.import.mutationOptions({
      onSuccess: (flow) => {
        void queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
        onImported(flow.id);
      },
    }),
  );
  const upload = async (file: File | undefined) => {
    if (!file) return;
    let document: unknown;
    try {
      document = JSON.parse(await file.text());
    } catch {
      window.alert(t("notJson"));
      return;
    }
    mutation.mutate({ document });
  };
  return { upload, error: mutation.error };
}

/** The Flows page: every flow with its status, version, runs and switch; new, import, duplicate, delete. */
export function FlowsList({ canWrite }: { canWrite: boolean }) {
  const t = useTranslations("flows.list");
  const format = useFormatter();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const flows = useQuery(trpc.flows.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
  const [name, setName] = useState("");
  const nameId = useId();
  const create = useMutation(
    trpc.flows.create.mutationOptions({ onSuccess: (flow) => router.push(`/flows/${flow.id}`) }),
  );
  const duplicate = useMutation(trpc.flows.duplicate.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.flows.delete.mutationOptions({ onSuccess: invalidate }));
  const setEnabled = useMutation(trpc.flows.setEnabled.mutationOptions({ onSuccess: invalidate }));
  const importFlow = useFlowImport((id) => router.push(`/flows/${id}`));
  const failure = create.error ?? duplicate.error ?? remove.error ?? setEnabled.error ?? importFlow.error;

  return (
    <div className="flex flex-col gap-4">
      {failure ? <Alert tone="error">{describeError(failure).message}</Alert> : null}
      {canWrite ? (
        <Card>
          <CardBody>
            <form
              className="flex flex-wrap items-end gap-2"
              onSubmit={(event) => {
                event.preventDefault();
                create.mutate({ name, definition: { start: null, steps: [] } });
              }}
            >
              <div className="flex min-w-0 flex-1 flex-col gap-1.5">
                <label htmlFor={nameId} className="text-sm font-medium">
                  {t("newName")}
                </label>
                <Input
                  id={nameId}
                  value={name}
                  placeholder={t("namePlaceholder")}
                  onChange={(event) => setName(event.target.value)}
                />
              </div>
              <Button type="submit" disabled={create.isPending || !name.trim()}>
                {t("create")}
              </Button>
              <label className="inline-flex h-9 cursor-pointer items-center rounded-md border border-border px-4 text-sm hover:bg-muted focus-within:outline-2 focus-within:outline-primary">
                {t("import")}
                <input
                  type="file"
                  accept="application/json,.json"
                  className="sr-only"
                  onChange={(event) => void importFlow.upload(event.target.files?.[0])}
                />
              </label>
            </form>
          </CardBody>
        </Card>
      ) : null}
      <Card>
        <CardHeader title={t("title")} description={t("description")} />
        <CardBody className="overflow-x-auto p-0">
          {flows.error ? <Alert tone="error">{describeError(flows.error).message}</Alert> : null}
          <Table>
            <thead>
              <tr>
                <Th>{t("name")}</Th>
                <Th>{t("status")}</Th>
                <Th>{t("runs")}</Th>
                <Th>{t("enabled")}</Th>
                <Th>{t("updated")}</Th>
                <Th>
                  <span className="sr-only">{t("actions")}</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {flows.data?.length === 0 ? <EmptyRow colSpan={6}>{t("empty")}</EmptyRow> : null}
              {flows.data?.map((flow) => (
                <tr key={flow.id}>
                  <Td>
                    <Link href={`/flows/${flow.id}`} className="font-medium hover:underline">
                      {flow.name}
                    </Link>
                    <div className="text-xs text-muted-foreground">{t("steps", { count: flow.steps })}</div>
                  </Td>
                  <Td>
                    <div className="flex flex-wrap gap-1">
                      {flow.publishedVersion === null ? (
                        <Badge>{t("draft")}</Badge>
                      ) : (
                        <Badge tone="success">{t("version", { version: flow.publishedVersion })}</Badge>
                      )}
                      {flow.publishedVersion !== null && flow.hasDraftChanges ? (
                        <Badge tone="warning">{t("changes")}</Badge>
                      ) : null}
                    </div>
                  </Td>
                  <Td>{format.number(flow.activeRuns)}</Td>
                  <Td>
                    <input
                      type="checkbox"
                      aria-label={t("enabledLabel", { name: flow.name })}
                      checked={flow.enabled}
                      disabled={!canWrite || setEnabled.isPending}
                      onChange={(event) => setEnabled.mutate({ id: flow.id, enabled: event.target.checked })}
                    />
                  </Td>
                  <Td className="whitespace-nowrap text-muted-foreground">{format.relativeTime(flow.updatedAt)}</Td>
                  <Td>
                    {canWrite ? (
                      <div className="flex justify-end gap-1">
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={t("duplicateLabel", { name: flow.name })}
                          onClick={() => duplicate.mutate({ id: flow.id })}
                        >
                          {t("duplicate")}
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={t("deleteLabel", { name: flow.name })}
                          onClick={() => {
                            if (window.confirm(t("confirmDelete", { name: flow.name }))) remove.mutate({ id: flow.id });
                          }}
                        >
                          {t("delete")}
                        </Button>
                      </div>
                    ) : null}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </CardBody>
      </Card>
    </div>
  );
}
