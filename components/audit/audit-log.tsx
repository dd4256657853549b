"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { formText } from "~/components/ui/form-text";
import { Card, CardBody } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";

const ENTITIES = ["user", "settings", "rule", "profile", "webhook", "contact", "session"];

type TFilters = { entity?: string; action?: string; search?: string; from?: Date; to?: Date };

function toDate(value: FormDataEntryValue | null, endOfDay = false): Date | undefined {
  if (typeof value !== "string" || !value) return undefined;
  return new Date(`${value}T${endOfDay ? "23:59:59.999" : "00:00:00"}`);
}

/** A readable name for the changed thing, from its snapshot (a user's email, a rule's name…). */
function entityLabel(snapshot: unknown): string | undefined {
  if (!snapshot || typeof snapshot !== "object") return undefined;
  const { email, name } = snapshot as { email?: unknown; name?: unknown };
  const label = typeof email === "string" ? email : name;
  return typeof label === "string" ? label : undefined;
}

export function AuditLog() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<TFilters>({});
  const query = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { ...filters, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const rows = query.data?.pages.flatMap((page) => page.items) ?? [];

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => formText(form, name).trim() || undefined;
    setFilters({
      entity: text("entity"),
      action: text("action"),
      search: text("search"),
      from: toDate(form.get("from")),
      to: toDate(form.get("to"), true),
    });
  }

  return (
    <div className="space-y-4">
      <Card>
        <CardBody>
          <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Filters">
            <Field label="Entity" htmlFor="audit-entity">
              <Select id="audit-entity" name="entity" defaultValue="">
                <option value="">All</option>
                {ENTITIES.map((entity) => (
                  <option key={entity} value={entity}>
                    {entity}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Action" htmlFor="audit-action">
              <Input id="audit-action" name="action" placeholder="update" />
            </Field>
            <Field label="Search" htmlFor="audit-search">
              <Input id="audit-search" name="search" placeholder="email or id" />
            </Field>
            <Field label="From" htmlFor="audit-from">
              <Input id="audit-from" name="from" type="date" />
            </Field>
            <Field label="To" htmlFor="audit-to">
              <Input id="audit-to" name="to" type="date" />
            </Field>
            <div className="flex items-end">
              <Button type="submit" variant="secondary" className="w-full">
                Apply
              </Button>
            </div>
          </form>
        </CardBody>
      </Card>
      {query.error ? <Alert tone="error">{describeError(query.error).message}</Alert> : null}
      <Card>
        <CardBody>
          <Table>
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Who</Th>
                <Th>Action</Th>
                <Th>Entity</Th>
                <Th>Change</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <Td className="whitespace-nowrap">{row.at.toLocaleString()}</Td>
                  <Td>{row.userEmail ?? <span className="text-muted-foreground">system</span>}</Td>
                  <Td>
                    <Badge tone="primary">{row.action}</Badge>
                  </Td>
                  <Td>
                    {row.entity}
                    <span className="ml-1 font-medium">{entityLabel(row.after) ?? entityLabel(row.before)}</span>
                    {row.entityId ? (
                      <div className="font-mono text-xs text-muted-foreground">{row.entityId}</div>
                    ) : null}
                  </Td>
                  <Td>
                    <details>
                      <summary className="cursor-pointer text-xs text-muted-foreground">before / after</summary>
                      <div className="mt-2 grid gap-2 md:grid-cols-2">
                        <pre className="overflow-x-auto rounded bg-muted p-2 text-xs">
                          {JSON.stringify(row.before, null, 2)}
                        </pre>
                        <pre className="overflow-x-auto rounded bg-muted p-2 text-xs">
                          {JSON.stringify(row.after, null, 2)}
                        </pre>
                      </div>
                    </details>
                  </Td>
                </tr>
              ))}
              {!query.isPending && rows.length === 0 ? (
                <EmptyRow colSpan={5}>No changes match these filters.</EmptyRow>
              ) : null}
            </tbody>
          </Table>
          {query.hasNextPage ? (
            <div className="mt-4 text-center">
              <Button
                variant="secondary"
                disabled={query.isFetchingNextPage}
                onClick={() => void query.fetchNextPage()}
              >
                {query.isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            </div>
          ) : null}
        </CardBody>
      </Card>
    </div>
  );
}
