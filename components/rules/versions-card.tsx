"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Table, Td, Th } from "~/components/ui/table";

/** Published versions: what each changed, and restore any of them in one click. */
export function VersionsCard({ canWrite }: { canWrite: boolean }) {
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
      <CardHeader
        title="Versions"
        description="Every publish is an immutable version; the newest is what the worker runs."
      />
      <CardBody>
        {versions.error ? <Alert tone="error">{describeError(versions.error).message}</Alert> : null}
        {restore.error ? <Alert tone="error">{describeError(restore.error).message}</Alert> : null}
        {versions.data?.length === 0 ? <p className="text-sm text-muted-foreground">Nothing published yet.</p> : null}
        {versions.data && versions.data.length > 0 ? (
          <Table>
            <thead>
              <tr>
                <Th>Version</Th>
                <Th>Published</Th>
                <Th>Rules</Th>
                <Th>Note</Th>
                <Th />
              </tr>
            </thead>
            <tbody>
              {versions.data.map((version, index) => (
                <tr key={version.id}>
                  <Td>
                    {version.version}{" "}
                    {index === 0 ? (
                      <span className="text-xs text-[color:color-mix(in_oklab,var(--success)_60%,var(--foreground))]">
                        (live)
                      </span>
                    ) : null}
                  </Td>
                  <Td>{new Date(version.publishedAt).toLocaleString()}</Td>
                  <Td>{version.rules}</Td>
                  <Td>{version.note}</Td>
                  <Td className="text-right">
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => setOpen(open === version.version ? null : version.version)}
                    >
                      Changes
                    </Button>
                    {canWrite && index > 0 ? (
                      <Button
                        size="sm"
                        variant="secondary"
                        onClick={() => restore.mutate({ version: version.version })}
                      >
                        Restore
                      </Button>
                    ) : null}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
        {open !== null && detail.data ? (
          <div className="mt-3 text-sm" aria-label={`Changes in version ${open}`}>
            <p>
              Added: {detail.data.diff.added.map((rule) => rule.name).join(", ") || "none"}. Removed:{" "}
              {detail.data.diff.removed.map((rule) => rule.name).join(", ") || "none"}. Edited:{" "}
              {detail.data.diff.edited.map((rule) => `${rule.name} (${rule.fields.join(", ")})`).join("; ") || "none"}.
            </p>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
