"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
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
import { ACTIONS, ENTITIES } from "./vocabulary";

const isOneOf = <T extends string>(values: readonly T[], value: string): value is T =>
  (values as readonly string[]).includes(value);

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

/** The audit log: every configuration change, filtered by entity, action, text and dates, newest first. */
export function AuditLog() {
  const trpc = useTRPC();
  const t = useTranslations("audit");
  const tCommon = useTranslations("common");
  const format = useFormatter();
  const entityText = (entity: string) => (isOneOf(ENTITIES, entity) ? t(`entity.${entity}`) : entity);
  const actionText = (action: string) => (isOneOf(ACTIONS, action) ? t(`action.${action}`) : action);
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
          <form
            onSubmit={onSubmit}
            className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6"
            aria-label={t("filters.label")}
          >
            <Field label={t("filters.entity")} htmlFor="audit-entity">
              <Select id="audit-entity" name="entity" defaultValue="">
                <option value="">{t("filters.all")}</option>
                {ENTITIES.map((entity) => (
                  <option key={entity} value={entity}>
                    {t(`entity.${entity}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t("filters.action")} htmlFor="audit-action">
              <Select id="audit-action" name="action" defaultValue="">
                <option value="">{t("filters.all")}</option>
                {ACTIONS.map((action) => (
                  <option key={action} value={action}>
                    {t(`action.${action}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t("filters.search")} htmlFor="audit-search">
              <Input id="audit-search" name="search" placeholder={t("filters.searchPlaceholder")} />
            </Field>
            <Field label={t("filters.from")} htmlFor="audit-from">
              <Input id="audit-from" name="from" type="date" className="min-w-0" />
            </Field>
            <Field label={t("filters.to")} htmlFor="audit-to">
              <Input id="audit-to" name="to" type="date" className="min-w-0" />
            </Field>
            <div className="flex items-end">
              <Button type="submit" variant="secondary" className="w-full">
                {t("filters.apply")}
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
                <Th>{t("table.when")}</Th>
                <Th>{t("table.who")}</Th>
                <Th>{t("table.action")}</Th>
                <Th>{t("table.entity")}</Th>
                <Th>{t("table.change")}</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <Td className="whitespace-nowrap">{format.dateTime(new Date(row.at), "short")}</Td>
                  <Td className="break-all">
                    {row.userEmail ?? <span className="text-muted-foreground">{t("table.system")}</span>}
                  </Td>
                  <Td>
                    <Badge tone="primary">{actionText(row.action)}</Badge>
                  </Td>
                  <Td className="min-w-40">
                    {entityText(row.entity)}
                    <span className="ml-1 font-medium break-all" translate="no">
                      {entityLabel(row.after) ?? entityLabel(row.before)}
                    </span>
                    {row.entityId ? (
                      <div className="font-mono text-xs break-all text-muted-foreground">{row.entityId}</div>
                    ) : null}
                  </Td>
                  <Td className="min-w-48">
                    <details>
                      <summary className="cursor-pointer text-xs text-muted-foreground">
                        {t("table.beforeAfter")}
                      </summary>
                      <div className="mt-2 grid gap-2 md:grid-cols-2">
                        <pre
                          className="rounded bg-muted p-2 text-xs break-all whitespace-pre-wrap"
                          aria-label={t("table.before")}
                        >
                          {JSON.stringify(row.before, null, 2)}
                        </pre>
                        <pre
                          className="rounded bg-muted p-2 text-xs break-all whitespace-pre-wrap"
                          aria-label={t("table.after")}
                        >
                          {JSON.stringify(row.after, null, 2)}
                        </pre>
                      </div>
                    </details>
                  </Td>
                </tr>
              ))}
              {!query.isPending && rows.length === 0 ? <EmptyRow colSpan={5}>{t("table.empty")}</EmptyRow> : null}
            </tbody>
          </Table>
          {query.hasNextPage ? (
            <div className="mt-4 text-center">
              <Button
                variant="secondary"
                disabled={query.isFetchingNextPage}
                onClick={() => void query.fetchNextPage()}
              >
                {query.isFetchingNextPage ? tCommon("loading") : t("table.loadMore")}
              </Button>
            </div>
          ) : null}
        </CardBody>
      </Card>
    </div>
  );
}
