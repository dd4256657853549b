"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Table, Td, Th } from "~/components/ui/table";

/** Published versions: what each changed, and restore any of them in one click. */
export function VersionsCard({ canWrite }: { canWrite: boolean }) {
  const t = useTranslations("rules.versions");
  const tf = useTranslations("rules.ruleFields");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const versions = useQuery(trpc.rules.versions.queryOptions());
  const [open, setOpen] = useState<number | null>(null);
  const detail = useQuery({ ...trpc.rules.version.queryOptions({ version: open ?? 1 }), enabled: open !== null });
  const restore = useMutation(
    trpc.rules.restore.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.rules.pathKey() }),
    }),
  );
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody>
        {versions.error ? <Alert tone="error">{describeError(versions.error).message}</Alert> : null}
        {restore.error ? <Alert tone="error">{describeError(restore.error).message}</Alert> : null}
        {versions.data?.length === 0 ? <p className="text-sm text-muted-foreground">{t("empty")}</p> : null}
        {versions.data && versions.data.length > 0 ? (
          <Table>
            <thead>
              <tr>
                <Th>{t("version")}</Th>
                <Th>{t("published")}</Th>
                <Th>{t("rules")}</Th>
                <Th>{t("note")}</Th>
                <Th>
                  <span className="sr-only">{t("actions")}</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {versions.data.map((version, index) => (
                <tr key={version.id}>
                  <Td>
                    {version.version}{" "}
                    {index === 0 ? (
                      <span className="text-xs text-[color:color-mix(in_oklab,var(--success)_60%,var(--foreground))]">
                        {t("live")}
                      </span>
                    ) : null}
                  </Td>
                  <Td className="whitespace-nowrap">{format.dateTime(new Date(version.publishedAt), "short")}</Td>
                  <Td>{format.number(version.rules, "integer")}</Td>
                  <Td className="min-w-40 break-words" translate="no">
                    {version.note}
                  </Td>
                  <Td className="text-right whitespace-nowrap">
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => setOpen(open === version.version ? null : version.version)}
                    >
                      {t("changes")}
                    </Button>
                    {canWrite && index > 0 ? (
                      <Button
                        size="sm"
                        variant="secondary"
                        onClick={() => restore.mutate({ version: version.version })}
                      >
                        {t("restore")}
                      </Button>
                    ) : null}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
        {open !== null && detail.data ? (
          <div className="mt-3 text-sm break-words" aria-label={t("changesIn", { version: open })}>
            <p>
              {t("added", { names: detail.data.diff.added.map((rule) => rule.name).join(", ") || tc("none") })}{" "}
              {t("removed", { names: detail.data.diff.removed.map((rule) => rule.name).join(", ") || tc("none") })}{" "}
              {t("edited", {
                names:
                  detail.data.diff.edited
                    .map((rule) =>
                      t("editedRule", {
                        name: rule.name,
                        fields: rule.fields.map((field) => tf(field)).join(", "),
                      }),
                    )
                    .join("; ") || tc("none"),
              })}
            </p>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
