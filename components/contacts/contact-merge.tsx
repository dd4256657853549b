"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
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
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { IDENTITY_KINDS, type TIdentityKind } from "~/db/schema/identities";

const MERGE_FIELDS = [
  "waId",
  "name",
  "relationship",
  "priority",
  "profileId",
  "notes",
  "optedOut",
  "blocked",
  "firstSeenAt",
  "lastInteractionAt",
] as const;
type TMergeField = (typeof MERGE_FIELDS)[number];
const isMergeField = (field: string): field is TMergeField => (MERGE_FIELDS as readonly string[]).includes(field);

/** An identity as people read it, in their language: `Phone +1…`, `LID 1663…`. */
export function useIdentityLabel(): (identity: { kind: string; value: string }) => string {
  const t = useTranslations("contacts");
  return (identity) => {
    const kind = (IDENTITY_KINDS as readonly string[]).includes(identity.kind)
      ? t(`identityKind.${identity.kind as TIdentityKind}`)
      : identity.kind;
    return `${kind} ${identity.value}`;
  };
}

/**
 * "Merge with…" on a contact's page: find the other contact, see what the merge would do (who
 * remains, what moves, which values win), confirm. The older contact remains; the page follows it.
 */
export function ContactMerge({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const t = useTranslations("contacts");
  const tCommon = useTranslations("common");
  const format = useFormatter();
  const identityLabel = useIdentityLabel();
  /** A field's value in a cell: dates in the org's zone, yes/no and relationships in words. */
  const shown = (field: string, value: unknown): string => {
    if (value === null || value === undefined || value === "") return "—";
    if (typeof value === "boolean") return value ? tCommon("yes") : tCommon("no");
    if (value instanceof Date) return format.dateTime(value, "short");
    if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value))
      return format.dateTime(new Date(value), "short");
    if (field === "relationship" && (RELATIONSHIPS as readonly unknown[]).includes(value))
      return t(`relationship.${value as (typeof RELATIONSHIPS)[number]}`);
    if (typeof value === "number") return format.number(value);
    return typeof value === "string" ? value : JSON.stringify(value);
  };
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
        {merge.isSuccess ? <Alert tone="success">{t("merge.done")}</Alert> : null}
        <div>
          <Button variant="secondary" onClick={() => setOpen(true)}>
            {t("merge.open")}
          </Button>
        </div>
      </div>
    );
  }
  const plan = preview.data;
  const candidates = (found.data?.contacts ?? []).filter((contact) => contact.id !== id);
  return (
    <Card>
      <CardHeader title={t("merge.title")} description={t("merge.description")} />
      <CardBody className="grid gap-3">
        {otherId === null ? (
          <>
            <Field label={t("merge.find")} htmlFor="merge-search">
              <Input
                id="merge-search"
                value={search}
                placeholder={t("merge.findPlaceholder")}
                autoComplete="off"
                onChange={(event) => setSearch(event.target.value)}
              />
            </Field>
            {candidates.length > 0 ? (
              <ul className="grid gap-1" aria-label={t("merge.matching")}>
                {candidates.map((contact) => (
                  <li key={contact.id} className="flex flex-wrap items-center justify-between gap-2 text-sm">
                    <span className="min-w-0 break-all">
                      {contact.name ?? t("list.noName")} <span className="text-muted-foreground">{contact.waId}</span>
                    </span>
                    <Button size="sm" variant="secondary" onClick={() => setOtherId(contact.id)}>
                      {t("merge.choose", { name: contact.name ?? contact.waId })}
                    </Button>
                  </li>
                ))}
              </ul>
            ) : search.trim() && found.isSuccess ? (
              <p className="text-sm text-muted-foreground">{t("merge.noMatch")}</p>
            ) : null}
          </>
        ) : null}
        {preview.error ? <Alert tone="error">{describeError(preview.error).message}</Alert> : null}
        {otherId && !plan && !preview.error ? (
          <p className="text-sm text-muted-foreground">{t("merge.working")}</p>
        ) : null}
        {plan ? (
          <section aria-label={t("merge.preview")} className="grid gap-3 text-sm">
            <p className="break-words">
              {t.rich("merge.remains", {
                strong: (chunks) => <strong>{chunks}</strong>,
                survivor: plan.survivor.name ?? plan.survivor.waId,
                survivorNumber: plan.survivor.waId,
                absorbed: plan.absorbed.name ?? plan.absorbed.waId,
                absorbedNumber: plan.absorbed.waId,
              })}
            </p>
            <ul className="list-disc pl-5 break-words">
              <li>
                {t(plan.threadAction === "none" ? "merge.movesNone" : "merge.moves", {
                  messages: plan.moves.messages,
                  notes: plan.moves.notes,
                })}
              </li>
              <li>
                {t("merge.identitiesMoving", {
                  list:
                    plan.identities.moving.length > 0
                      ? plan.identities.moving.map((identity) => identityLabel(identity)).join(", ")
                      : t("merge.none"),
                })}
              </li>
              <li>
                {t("merge.tagsAfter", {
                  list: plan.tags.result.length > 0 ? plan.tags.result.join(", ") : t("merge.none"),
                })}
              </li>
              {plan.attributes.overridden.length > 0 ? (
                <li>{t("merge.overridden", { list: plan.attributes.overridden.join(", ") })}</li>
              ) : null}
            </ul>
            {plan.fields.length > 0 ? (
              <Table aria-label={t("merge.fieldsTable")}>
                <thead>
                  <tr>
                    <Th>{t("merge.field")}</Th>
                    <Th>{t("merge.remainsColumn")}</Th>
                    <Th>{t("merge.mergedIn")}</Th>
                    <Th>{t("merge.afterwards")}</Th>
                  </tr>
                </thead>
                <tbody>
                  {plan.fields.map((field) => (
                    <tr key={field.field}>
                      <Td>{isMergeField(field.field) ? t(`merge.fields.${field.field}`) : field.field}</Td>
                      <Td className="break-words">{shown(field.field, field.survivor)}</Td>
                      <Td className="break-words">{shown(field.field, field.absorbed)}</Td>
                      <Td>
                        <Badge tone="primary">{shown(field.field, field.result)}</Badge>
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            ) : null}
          </section>
        ) : null}
        {merge.error ? <Alert tone="error">{describeError(merge.error).message}</Alert> : null}
        <div className="flex flex-wrap gap-2">
          {plan ? (
            <Button
              variant="destructive"
              disabled={merge.isPending}
              onClick={() => merge.mutate({ id, otherId: otherId! })}
            >
              {t("merge.submit")}
            </Button>
          ) : null}
          {otherId ? (
            <Button variant="secondary" onClick={() => setOtherId(null)}>
              {t("merge.chooseAnother")}
            </Button>
          ) : null}
          <Button
            variant="ghost"
            onClick={() => {
              setOpen(false);
              setOtherId(null);
            }}
          >
            {tCommon("cancel")}
          </Button>
        </div>
      </CardBody>
    </Card>
  );
}
