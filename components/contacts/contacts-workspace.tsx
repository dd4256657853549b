"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { Table, Td, Th } from "~/components/ui/table";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { placeFieldErrors } from "./field-errors";
import type { TListContactsInput } from "~/server/contacts/contacts";

/** The list's filters as the export's query string (the export holds what the list shows). */
function exportQuery(filters: TListContactsInput): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries<unknown>(filters)) {
    if (typeof value === "string" && value !== "") params.set(key, value);
    else if (typeof value === "number" || typeof value === "boolean") params.set(key, `${value}`);
    else if (value instanceof Date) params.set(key, value.toISOString());
  }
  if (filters.field) {
    params.set("fieldKey", filters.field.key);
    params.set("fieldOp", filters.field.op ?? "eq");
    params.set("fieldValue", filters.field.value);
  }
  return params.toString();
}

/** The Contacts page: search, filters, sorting and keyset pages; add a contact. */
export function ContactsWorkspace({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("contacts");
  const tCommon = useTranslations("common");
  const format = useFormatter();
  const [filters, setFilters] = useState<TListContactsInput>({ sort: "recent" });
  const [adding, setAdding] = useState(false);
  const list = useInfiniteQuery(
    trpc.contacts.list.infiniteQueryOptions(
      { ...filters, limit: 50 },
      { getNextPageParam: (page) => page.next ?? undefined, initialCursor: undefined },
    ),
  );
  const rows = list.data?.pages.flatMap((page) => page.contacts) ?? [];
  const set = (patch: Partial<TListContactsInput>) => setFilters((current) => ({ ...current, ...patch }));
  const lastInteraction = (at: Date | string | null) =>
    at ? format.dateTime(new Date(at), "short") : tCommon("never");
  const nameOf = (contact: (typeof rows)[number]) => (
    <>
      <Link className="font-medium break-all hover:underline" href={`/contacts/${contact.id}`}>
        {contact.name ?? <span className="text-muted-foreground">{t("list.noName")}</span>}
      </Link>{" "}
      {contact.optedOut ? <Badge>{t("list.optedOutBadge")}</Badge> : null}
    </>
  );
  return (
    <div className="flex flex-col gap-4">
      {adding ? <NewContact onDone={() => setAdding(false)} /> : null}
      <Card>
        <CardHeader
          title={t("list.title")}
          actions={
            <div className="flex flex-wrap justify-end gap-2">
              <a
                className="inline-flex h-8 items-center rounded-md px-3 text-sm hover:bg-muted"
                href={`/api/contacts/export?${exportQuery(filters)}`}
              >
                {t("list.exportCsv")}
              </a>
              {canWrite ? (
                <>
                  <Link
                    className="inline-flex h-8 items-center rounded-md border border-border bg-card px-3 text-sm font-medium hover:bg-muted"
                    href="/contacts/import"
                  >
                    {t("list.importCsv")}
                  </Link>
                  <Button size="sm" onClick={() => setAdding(true)}>
                    {t("list.add")}
                  </Button>
                </>
              ) : null}
            </div>
          }
        />
        <CardBody>
          <div className="mb-3 grid gap-2 sm:grid-cols-2 md:grid-cols-5">
            <Input
              aria-label={t("list.search")}
              placeholder={t("list.searchPlaceholder")}
              onChange={(event) => set({ search: event.target.value || undefined })}
            />
            <Select
              aria-label={t("list.relationship")}
              onChange={(event) =>
                set({ relationship: (event.target.value || undefined) as TListContactsInput["relationship"] })
              }
            >
              <option value="">{t("list.anyRelationship")}</option>
              {RELATIONSHIPS.map((relationship) => (
                <option key={relationship} value={relationship}>
                  {t(`relationship.${relationship}`)}
                </option>
              ))}
            </Select>
            <Input
              aria-label={t("list.tag")}
              placeholder={t("list.tag")}
              onChange={(event) => set({ tag: event.target.value || undefined })}
            />
            <Select
              aria-label={t("list.optedOut")}
              onChange={(event) =>
                set({ optedOut: event.target.value === "" ? undefined : event.target.value === "yes" })
              }
            >
              <option value="">{t("list.optedOutAny")}</option>
              <option value="no">{t("list.optedOutNo")}</option>
              <option value="yes">{t("list.optedOutYes")}</option>
            </Select>
            <Select
              aria-label={t("list.sort")}
              value={filters.sort}
              onChange={(event) => set({ sort: event.target.value as TListContactsInput["sort"] })}
            >
              <option value="recent">{t("list.sortRecent")}</option>
              <option value="name">{t("list.sortName")}</option>
              <option value="newest">{t("list.sortNewest")}</option>
            </Select>
          </div>
          <FieldFilter onChange={(field) => set({ field })} />
          {list.error ? <Alert tone="error">{describeError(list.error).message}</Alert> : null}
          {/* Phones: one stacked entry per contact; from `sm` up, the table. */}
          <ul className="divide-y divide-border sm:hidden" aria-label={t("list.title")}>
            {rows.map((contact) => (
              <li key={contact.id} className="flex min-w-0 flex-col gap-0.5 py-2 text-sm">
                <div className="min-w-0">{nameOf(contact)}</div>
                <div className="font-mono text-xs break-all">{contact.waId}</div>
                {contact.tags.length > 0 ? (
                  <div className="text-xs break-words text-muted-foreground" translate="no">
                    {contact.tags.join(", ")}
                  </div>
                ) : null}
                <div className="text-xs text-muted-foreground">
                  {t("list.lastInteraction")}: {lastInteraction(contact.lastInteractionAt)}
                </div>
              </li>
            ))}
          </ul>
          <div className="hidden sm:block">
            <Table>
              <thead>
                <tr>
                  <Th>{t("list.name")}</Th>
                  <Th>{t("list.number")}</Th>
                  <Th>{t("list.relationship")}</Th>
                  <Th>{t("list.tags")}</Th>
                  <Th>{t("list.lastInteraction")}</Th>
                </tr>
              </thead>
              <tbody>
                {rows.map((contact) => (
                  <tr key={contact.id}>
                    <Td>{nameOf(contact)}</Td>
                    <Td className="font-mono text-xs">{contact.waId}</Td>
                    <Td>{t(`relationship.${contact.relationship}`)}</Td>
                    <Td translate="no">{contact.tags.join(", ")}</Td>
                    <Td>{lastInteraction(contact.lastInteractionAt)}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
          {rows.length === 0 && !list.isPending ? (
            <p className="mt-2 text-sm text-muted-foreground">{t("list.empty")}</p>
          ) : null}
          {list.hasNextPage ? (
            <Button
              className="mt-3"
              variant="secondary"
              disabled={list.isFetchingNextPage}
              onClick={() => void list.fetchNextPage()}
            >
              {list.isFetchingNextPage ? tCommon("loading") : t("list.loadMore")}
            </Button>
          ) : null}
        </CardBody>
      </Card>
    </div>
  );
}

function NewContact({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const t = useTranslations("contacts");
  const tCommon = useTranslations("common");
  const queryClient = useQueryClient();
  const save = useMutation(
    trpc.contacts.save.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() });
        onDone();
      },
    }),
  );
  const errors = save.error
    ? placeFieldErrors(
        describeError(save.error),
        ["phone", "name", "relationship", "tags"] as const,
        t("form.checkFields"),
      )
    : null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => formText(form, name);
    save.mutate({
      id: null,
      contact: {
        phone: text("phone"),
        name: text("name") || null,
        relationship: text("relationship") as (typeof RELATIONSHIPS)[number],
        tags: text("tags")
          .split(",")
          .map((tag) => tag.trim())
          .filter(Boolean),
      },
    });
  };
  return (
    <Card>
      <CardHeader title={t("form.addTitle")} description={t("form.addDescription")} />
      <CardBody>
        <form className="grid gap-3 sm:grid-cols-2 md:grid-cols-5" onSubmit={submit} noValidate>
          <Field label={t("form.phone")} htmlFor="c-phone" error={errors?.byField.phone}>
            <Input id="c-phone" name="phone" placeholder="+14155550123" aria-invalid={Boolean(errors?.byField.phone)} />
          </Field>
          <Field label={t("form.name")} htmlFor="c-name" error={errors?.byField.name}>
            <Input id="c-name" name="name" aria-invalid={Boolean(errors?.byField.name)} />
          </Field>
          <Field label={t("form.relationship")} htmlFor="c-relationship" error={errors?.byField.relationship}>
            <Select id="c-relationship" name="relationship" defaultValue="other">
              {RELATIONSHIPS.map((relationship) => (
                <option key={relationship} value={relationship}>
                  {t(`relationship.${relationship}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t("form.tags")} htmlFor="c-tags" error={errors?.byField.tags}>
            <Input id="c-tags" name="tags" aria-invalid={Boolean(errors?.byField.tags)} />
          </Field>
          <div className="flex flex-wrap items-end gap-2">
            <Button type="submit" disabled={save.isPending}>
              {tCommon("save")}
            </Button>
            <Button variant="ghost" onClick={onDone}>
              {tCommon("cancel")}
            </Button>
          </div>
        </form>
        {errors?.summary ? (
          <Alert tone="error" className="mt-3">
            {errors.summary}
          </Alert>
        ) : null}
      </CardBody>
    </Card>
  );
}

type TFieldFilter = NonNullable<TListContactsInput["field"]>;

/**
 * A filter on one custom field's value: equal, or (numbers and dates) before / after it, with
 * an input fit for the field's type. Changes `field` of the list's filters (undefined: none).
 */
function FieldFilter({ onChange }: { onChange: (field: TFieldFilter | undefined) => void }) {
  const trpc = useTRPC();
  const t = useTranslations("contacts.list.fieldFilter");
  const tFields = useTranslations("contacts.fields");
  const definitions = useQuery(trpc.contactFields.list.queryOptions());
  const [key, setKey] = useState("");
  const [op, setOp] = useState<NonNullable<TFieldFilter["op"]>>("eq");
  const [value, setValue] = useState("");
  const fields = definitions.data ?? [];
  if (fields.length === 0) return null;
  const field = fields.find((candidate) => candidate.key === key);
  const ordered = field?.type === "number" || field?.type === "date";
  const apply = (next: { key?: string; op?: TFieldFilter["op"]; value?: string }) => {
    const chosen = { key, op, value, ...next };
    if (next.key !== undefined) setKey(next.key);
    if (next.op !== undefined) setOp(next.op);
    if (next.value !== undefined) setValue(next.value);
    onChange(chosen.key ? { key: chosen.key, op: chosen.op, value: chosen.value } : undefined);
  };
  return (
    <div className="mb-3 grid gap-2 sm:grid-cols-3" role="group" aria-label={t("field")}>
      <Select
        aria-label={t("field")}
        value={key}
        onChange={(event) => apply({ key: event.target.value, op: "eq", value: "" })}
      >
        <option value="">{t("any")}</option>
        {fields.map((candidate) => (
          <option key={candidate.key} value={candidate.key}>
            {candidate.label}
          </option>
        ))}
      </Select>
      {field ? (
        <Select
          aria-label={t("op")}
          value={op}
          onChange={(event) => apply({ op: event.target.value as TFieldFilter["op"] })}
        >
          <option value="eq">{t("eq")}</option>
          {ordered ? <option value="before">{t("before")}</option> : null}
          {ordered ? <option value="after">{t("after")}</option> : null}
        </Select>
      ) : null}
      {field?.type === "choice" || field?.type === "boolean" ? (
        <Select aria-label={t("value")} value={value} onChange={(event) => apply({ value: event.target.value })}>
          <option value="">{tFields("noValue")}</option>
          {(field.type === "boolean" ? ["true", "false"] : field.options).map((option) => (
            <option key={option} value={option}>
              {field.type === "boolean" ? tFields(option === "true" ? "yes" : "no") : option}
            </option>
          ))}
        </Select>
      ) : field ? (
        <Input
          aria-label={t("value")}
          type={field.type === "date" ? "date" : "text"}
          value={value}
          onChange={(event) => apply({ value: event.target.value })}
        />
      ) : null}
    </div>
  );
}
