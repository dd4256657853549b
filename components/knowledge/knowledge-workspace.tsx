"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useEffect, useId, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { SEARCH_LANGUAGES, type TSearchLanguage } from "~/db/schema/knowledge";
import { AddSourceForm } from "./add-source-form";
import { SourceList } from "./source-list";
import { TEXTAREA } from "./styles";

type TCollection = { id: string; name: string; description: string; language: TSearchLanguage };

/**
 * The Knowledge page: the collections (a list that stacks above the details on a phone), the
 * chosen collection's details and sources, forms to add a source, and each source's passages.
 * Sources being indexed are polled until they are done.
 */
export function KnowledgeWorkspace({ canWrite }: { canWrite: boolean }) {
  const t = useTranslations("domain.knowledgeUi.ui");
  const trpc = useTRPC();
  const collections = useQuery(trpc.knowledge.collections.queryOptions());
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const list = collections.data ?? [];
  const selected = list.find((collection) => collection.id === selectedId) ?? list[0] ?? null;

  return (
    <div className="grid gap-4 lg:grid-cols-[18rem_minmax(0,1fr)]">
      <Card className="self-start">
        <CardHeader
          title={t("collections.heading")}
          actions={
            canWrite && !creating ? (
              <Button size="sm" variant="secondary" onClick={() => setCreating(true)}>
                {t("collections.new")}
              </Button>
            ) : null
          }
        />
        <CardBody className="flex flex-col gap-3">
          {creating ? (
            <CollectionForm
              collection={null}
              onDone={(id) => {
                setCreating(false);
                if (id) setSelectedId(id);
              }}
            />
          ) : null}
          {collections.isPending ? <p className="text-sm text-muted-foreground">{t("loading")}</p> : null}
          {collections.error ? <Alert tone="error">{describeError(collections.error).message}</Alert> : null}
          {collections.data && list.length === 0 && !creating ? (
            <p className="text-sm text-muted-foreground">{t("collections.empty")}</p>
          ) : null}
          {list.length > 0 ? (
            <ul className="flex flex-col gap-1" aria-label={t("collections.heading")}>
              {list.map((collection) => (
                <li key={collection.id}>
                  <button
                    type="button"
                    aria-current={selected?.id === collection.id ? "true" : undefined}
                    onClick={() => setSelectedId(collection.id)}
                    className="flex w-full flex-col items-start rounded-md px-3 py-2 text-left text-sm hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary border-l-2 border-transparent aria-[current=true]:border-primary aria-[current=true]:bg-card aria-[current=true]:font-semibold"
                  >
                    <span className="font-medium break-words" translate="no">
                      {collection.name}
                    </span>
                    <span className="text-xs text-muted-foreground">
                      {t("collections.counts", { sources: collection.sources, passages: collection.passages })}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </CardBody>
      </Card>

      {selected ? (
        <CollectionDetails
          key={selected.id}
          collection={selected}
          canWrite={canWrite}
          onDeleted={() => setSelectedId(null)}
        />
      ) : null}
    </div>
  );
}

function CollectionForm({ collection, onDone }: { collection: TCollection | null; onDone: (id?: string) => void }) {
  const t = useTranslations("domain.knowledgeUi.ui");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [errors, setErrors] = useState<{ message?: string; fields: Record<string, string> }>({ fields: {} });
  const save = useMutation(
    trpc.knowledge.saveCollection.mutationOptions({
      onSuccess: async (saved) => {
        await queryClient.invalidateQueries({ queryKey: trpc.knowledge.pathKey() });
        onDone(saved.id);
      },
      onError: (error) => {
        const described = describeError(error);
        setErrors({ message: described.message, fields: described.fieldErrors });
      },
    }),
  );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors({ fields: {} });
    save.mutate({
      id: collection?.id ?? null,
      collection: {
        name: formText(form, "name"),
        description: formText(form, "description"),
        language: formText(form, "language") as TSearchLanguage,
      },
    });
  };
  const fieldError = (name: string) =>
    errors.fields[name] ?? errors.fields[`collection.${name}`] ?? errors.fields[`collection`];
  return (
    <form
      onSubmit={submit}
      className="flex flex-col gap-3"
      aria-label={collection ? t("collections.edit") : t("collections.new")}
    >
      <Field label={t("collections.name")} htmlFor={`${id}-name`} error={fieldError("name")}>
        <Input id={`${id}-name`} name="name" required maxLength={80} defaultValue={collection?.name ?? ""} autoFocus />
      </Field>
      <Field label={t("collections.description")} htmlFor={`${id}-description`} error={fieldError("description")}>
        <textarea
          id={`${id}-description`}
          name="description"
          maxLength={1_000}
          defaultValue={collection?.description ?? ""}
          className={`${TEXTAREA} min-h-16`}
        />
      </Field>
      <Field label={t("collections.language")} htmlFor={`${id}-language`} hint={t("collections.languageHint")}>
        <Select id={`${id}-language`} name="language" defaultValue={collection?.language ?? "simple"}>
          {SEARCH_LANGUAGES.map((language) => (
            <option key={language} value={language}>
              {t(`languages.${language}`)}
            </option>
          ))}
        </Select>
      </Field>
      {errors.message && Object.keys(errors.fields).length === 0 ? <Alert tone="error">{errors.message}</Alert> : null}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={save.isPending}>
          {collection ? t("save") : t("collections.create")}
        </Button>
        <Button variant="secondary" onClick={() => onDone()}>
          {t("cancel")}
        </Button>
      </div>
    </form>
  );
}

function CollectionDetails({
  collection,
  canWrite,
  onDeleted,
}: {
  collection: TCollection;
  canWrite: boolean;
  onDeleted: () => void;
}) {
  const t = useTranslations("domain.knowledgeUi.ui");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.knowledge.pathKey() });
  const remove = useMutation(
    trpc.knowledge.deleteCollection.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onDeleted();
      },
      onError: (error) => setNotice({ tone: "error", text: describeError(error).message }),
    }),
  );
  const reindexAll = useMutation(
    trpc.knowledge.reindex.mutationOptions({
      onSuccess: async () => {
        setNotice({ tone: "success", text: t("collections.reindexQueued") });
        await invalidate();
      },
      onError: (error) => setNotice({ tone: "error", text: describeError(error).message }),
    }),
  );
  useEffect(() => {
    if (notice?.tone !== "success") return;
    const timer = setTimeout(() => setNotice(null), 4_000);
    return () => clearTimeout(timer);
  }, [notice]);

  return (
    <div className="flex min-w-0 flex-col gap-4">
      <Card>
        <CardHeader
          title={<span translate="no">{collection.name}</span>}
          description={
            <>
              {collection.description ? (
                <span className="block whitespace-pre-wrap" translate="no">
                  {collection.description}
                </span>
              ) : null}
              <span className="block">
                {t("collections.languageIs", { language: t(`languages.${collection.language}`) })}
              </span>
            </>
          }
          actions={
            canWrite && !editing ? (
              <div className="flex flex-wrap gap-2">
                <Button size="sm" variant="secondary" onClick={() => setEditing(true)}>
                  {t("collections.edit")}
                </Button>
                <Button
                  size="sm"
                  variant="secondary"
                  disabled={reindexAll.isPending}
                  onClick={() => reindexAll.mutate({ collectionId: collection.id })}
                >
                  {t("collections.reindexAll")}
                </Button>
                <Button size="sm" variant="destructive" onClick={() => setConfirming(true)}>
                  {t("collections.delete")}
                </Button>
              </div>
            ) : null
          }
        />
        {editing || notice ? (
          <CardBody className="flex flex-col gap-3">
            {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
            {editing ? <CollectionForm collection={collection} onDone={() => setEditing(false)} /> : null}
          </CardBody>
        ) : null}
      </Card>
      {confirming ? (
        <ConfirmDialog
          title={t("collections.deleteTitle", { name: collection.name })}
          confirmLabel={t("collections.delete")}
          tone="destructive"
          onConfirm={() => {
            setConfirming(false);
            remove.mutate({ id: collection.id });
          }}
          onCancel={() => setConfirming(false)}
        >
          {t("collections.deleteBody")}
        </ConfirmDialog>
      ) : null}
      {canWrite ? <AddSourceForm collectionId={collection.id} /> : null}
      <SourceList collectionId={collection.id} canWrite={canWrite} />
    </div>
  );
}
