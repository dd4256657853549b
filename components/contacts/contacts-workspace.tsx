"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
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
import type { TListContactsInput } from "~/server/contacts/contacts";

/** The list's filters as the export's query string (the export holds what the list shows). */
function exportQuery(filters: TListContactsInput): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries<unknown>(filters)) {
    if (typeof value === "string" && value !== "") params.set(key, value);
    else if (typeof value === "number" || typeof value === "boolean") params.set(key, `${value}`);
    else if (value instanceof Date) params.set(key, value.toISOString());
  }
  return params.toString();
}

/** The Contacts page: search, filters, sorting and keyset pages; add a contact. */
export function ContactsWorkspace({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
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
  return (
    <div className="flex flex-col gap-4">
      {adding ? <NewContact onDone={() => setAdding(false)} /> : null}
      <Card>
        <CardHeader
          title="Contacts"
          actions={
            <div className="flex gap-2">
              <a
                className="inline-flex h-8 items-center rounded-md px-3 text-sm hover:bg-muted"
                href={`/api/contacts/export?${exportQuery(filters)}`}
              >
                Export CSV
              </a>
              {canWrite ? (
                <>
                  <Link
                    className="inline-flex h-8 items-center rounded-md border border-border bg-card px-3 text-sm font-medium hover:bg-muted"
                    href="/contacts/import"
                  >
                    Import CSV
                  </Link>
                  <Button size="sm" onClick={() => setAdding(true)}>
                    Add contact
                  </Button>
                </>
              ) : null}
            </div>
          }
        />
        <CardBody>
          <div className="mb-3 grid gap-2 md:grid-cols-5">
            <Input
              aria-label="Search"
              placeholder="Name, number or tag"
              onChange={(event) => set({ search: event.target.value || undefined })}
            />
            <Select
              aria-label="Relationship"
              onChange={(event) =>
                set({ relationship: (event.target.value || undefined) as TListContactsInput["relationship"] })
              }
            >
              <option value="">Any relationship</option>
              {RELATIONSHIPS.map((relationship) => (
                <option key={relationship}>{relationship}</option>
              ))}
            </Select>
            <Input
              aria-label="Tag"
              placeholder="Tag"
              onChange={(event) => set({ tag: event.target.value || undefined })}
            />
            <Select
              aria-label="Opted out"
              onChange={(event) =>
                set({ optedOut: event.target.value === "" ? undefined : event.target.value === "yes" })
              }
            >
              <option value="">Opted out or not</option>
              <option value="no">Not opted out</option>
              <option value="yes">Opted out</option>
            </Select>
            <Select
              aria-label="Sort"
              value={filters.sort}
              onChange={(event) => set({ sort: event.target.value as TListContactsInput["sort"] })}
            >
              <option value="recent">Last interaction</option>
              <option value="name">Name</option>
              <option value="newest">Newest</option>
            </Select>
          </div>
          {list.error ? <Alert tone="error">{describeError(list.error).message}</Alert> : null}
          <Table>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Number</Th>
                <Th>Relationship</Th>
                <Th>Tags</Th>
                <Th>Last interaction</Th>
              </tr>
            </thead>
            <tbody>
              {rows.map((contact) => (
                <tr key={contact.id}>
                  <Td>
                    <Link className="font-medium hover:underline" href={`/contacts/${contact.id}`}>
                      {contact.name ?? <span className="text-muted-foreground">(no name)</span>}
                    </Link>{" "}
                    {contact.optedOut ? <Badge>opted out</Badge> : null}
                  </Td>
                  <Td className="font-mono text-xs">{contact.waId}</Td>
                  <Td>{contact.relationship}</Td>
                  <Td>{contact.tags.join(", ")}</Td>
                  <Td>{contact.lastInteractionAt ? new Date(contact.lastInteractionAt).toLocaleString() : "never"}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {rows.length === 0 && !list.isPending ? (
            <p className="mt-2 text-sm text-muted-foreground">No contacts match.</p>
          ) : null}
          {list.hasNextPage ? (
            <Button
              className="mt-3"
              variant="secondary"
              disabled={list.isFetchingNextPage}
              onClick={() => void list.fetchNextPage()}
            >
              {list.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          ) : null}
        </CardBody>
      </Card>
    </div>
  );
}

function NewContact({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useMutation(
    trpc.contacts.save.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() });
        onDone();
      },
    }),
  );
  const error = save.error ? describeError(save.error) : null;
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
      <CardHeader
        title="Add a contact"
        description="Numbers without a country code are read in the default country (Settings)."
      />
      <CardBody>
        <form className="grid gap-3 md:grid-cols-5" onSubmit={submit}>
          <Field
            label="Phone number"
            htmlFor="c-phone"
            error={error?.fieldErrors["contact.phone"] ?? error?.fieldErrors.phone}
          >
            <Input id="c-phone" name="phone" placeholder="+14155550123" />
          </Field>
          <Field label="Name" htmlFor="c-name">
            <Input id="c-name" name="name" />
          </Field>
          <Field label="Relationship" htmlFor="c-relationship">
            <Select id="c-relationship" name="relationship" defaultValue="other">
              {RELATIONSHIPS.map((relationship) => (
                <option key={relationship}>{relationship}</option>
              ))}
            </Select>
          </Field>
          <Field label="Tags (comma-separated)" htmlFor="c-tags">
            <Input id="c-tags" name="tags" />
          </Field>
          <div className="flex items-end gap-2">
            <Button type="submit" disabled={save.isPending}>
              Save
            </Button>
            <Button variant="ghost" onClick={onDone}>
              Cancel
            </Button>
          </div>
        </form>
        {error && Object.keys(error.fieldErrors).length === 0 ? <Alert tone="error">{error.message}</Alert> : null}
      </CardBody>
    </Card>
  );
}
