"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Table, Td, Th } from "~/components/ui/table";

const FIELD_LABELS: Record<string, string> = {
  waId: "Primary address",
  name: "Name",
  relationship: "Relationship",
  priority: "Priority",
  profileId: "Context profile",
  notes: "Notes",
  optedOut: "Opted out",
  blocked: "Blocked",
  firstSeenAt: "First seen",
  lastInteractionAt: "Last message",
};

function shown(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return new Date(value).toLocaleString();
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An identity as people read it: `phone +1…`, `LID 1663…`. */
export function identityLabel(identity: { kind: string; value: string }): string {
  const kind = { phone: "Phone", lid: "LID", bsuid: "Business-scoped id", username: "Username" }[identity.kind];
  return `${kind ?? identity.kind} ${identity.value}`;
}

/**
 * "Merge with…" on a contact's page: find the other contact, see what the merge would do (who
 * remains, what moves, which values win), confirm. The older contact remains; the page follows it.
 */
export function ContactMerge({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState("");
  const [otherId, setOtherId] = useState<string | null>(null);
  const found = useQuery({
    ...trpc.contacts.list.queryOptions({ search: search.trim(), limit: 8, sort: "name" }),
    enabled: open && search.trim().length > 0,
  });
  const preview = useQuery({
    ...trpc.contacts.mergePreview.queryOptions({ id, otherId: otherId ?? id }),
    enabled: otherId !== null,
    retry: false,
  });
  const merge = useMutation(
    trpc.contacts.merge.mutationOptions({
      onSuccess: async (result) => {
        await queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() });
        setOpen(false);
        setOtherId(null);
        setSearch("");
        if (result.survivorId !== id) router.push(`/contacts/${result.survivorId}`);
      },
    }),
  );
  if (!open) {
    return (
      <div className="flex flex-col gap-2">
        {merge.isSuccess ? <Alert tone="success">Merged: this contact now holds both histories.</Alert> : null}
        <div>
          <Button variant="secondary" onClick={() => setOpen(true)}>
            Merge with…
          </Button>
        </div>
      </div>
    );
  }
  const plan = preview.data;
  const candidates = (found.data?.contacts ?? []).filter((contact) => contact.id !== id);
  return (
    <Card>
      <CardHeader
        title="Merge with another contact"
        description="For one person who reached you twice (a number and a LID, two numbers). The older contact remains and takes over the other's conversation, tags, fields and identities. This cannot be undone here."
      />
      <CardBody className="grid gap-3">
        {otherId === null ? (
          <>
            <Field label="Find the other contact" htmlFor="merge-search">
              <Input
                id="merge-search"
                value={search}
                placeholder="Name, number or tag"
                autoComplete="off"
                onChange={(event) => setSearch(event.target.value)}
              />
            </Field>
            {candidates.length > 0 ? (
              <ul className="grid gap-1" aria-label="Matching contacts">
                {candidates.map((contact) => (
                  <li key={contact.id} className="flex items-center justify-between gap-2 text-sm">
                    <span>
                      {contact.name ?? "(no name)"} <span className="text-muted-foreground">{contact.waId}</span>
                    </span>
                    <Button size="sm" variant="secondary" onClick={() => setOtherId(contact.id)}>
                      Choose {contact.name ?? contact.waId}
                    </Button>
                  </li>
                ))}
              </ul>
            ) : search.trim() && found.isSuccess ? (
              <p className="text-sm text-muted-foreground">No other contact matches.</p>
            ) : null}
          </>
        ) : null}
        {preview.error ? <Alert tone="error">{describeError(preview.error).message}</Alert> : null}
        {otherId && !plan && !preview.error ? <p className="text-sm text-muted-foreground">Working it out…</p> : null}
        {plan ? (
          <section aria-label="Merge preview" className="grid gap-3 text-sm">
            <p>
              <strong>{plan.survivor.name ?? plan.survivor.waId}</strong> ({plan.survivor.waId}) remains;{" "}
              <strong>{plan.absorbed.name ?? plan.absorbed.waId}</strong> ({plan.absorbed.waId}) is merged into it and
              removed.
            </p>
            <ul className="list-disc pl-5">
              <li>
                {plan.moves.messages} message{plan.moves.messages === 1 ? "" : "s"} and {plan.moves.notes} note
                {plan.moves.notes === 1 ? "" : "s"} move into one conversation
                {plan.threadAction === "none" ? " (there is none to move)" : ""}
              </li>
              <li>
                Identities that move:{" "}
                {plan.identities.moving.length > 0
                  ? plan.identities.moving.map((identity) => identityLabel(identity)).join(", ")
                  : "none"}
              </li>
              <li>Tags afterwards: {plan.tags.result.length > 0 ? plan.tags.result.join(", ") : "none"}</li>
              {plan.attributes.overridden.length > 0 ? (
                <li>Custom fields kept from the remaining contact: {plan.attributes.overridden.join(", ")}</li>
              ) : null}
            </ul>
            {plan.fields.length > 0 ? (
              <Table aria-label="Fields that differ">
                <thead>
                  <tr>
                    <Th>Field</Th>
                    <Th>Remains</Th>
                    <Th>Merged in</Th>
                    <Th>Afterwards</Th>
                  </tr>
                </thead>
                <tbody>
                  {plan.fields.map((field) => (
                    <tr key={field.field}>
                      <Td>{FIELD_LABELS[field.field] ?? field.field}</Td>
                      <Td>{shown(field.survivor)}</Td>
                      <Td>{shown(field.absorbed)}</Td>
                      <Td>
                        <Badge tone="primary">{shown(field.result)}</Badge>
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            ) : null}
          </section>
        ) : null}
        {merge.error ? <Alert tone="error">{describeError(merge.error).message}</Alert> : null}
        <div className="flex gap-2">
          {plan ? (
            <Button
              variant="destructive"
              disabled={merge.isPending}
              onClick={() => merge.mutate({ id, otherId: otherId! })}
            >
              Merge contacts
            </Button>
          ) : null}
          {otherId ? (
            <Button variant="secondary" onClick={() => setOtherId(null)}>
              Choose another
            </Button>
          ) : null}
          <Button
            variant="ghost"
            onClick={() => {
              setOpen(false);
              setOtherId(null);
            }}
          >
            Cancel
          </Button>
        </div>
      </CardBody>
    </Card>
  );
}
