"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useId, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { MEDIA_KINDS, type TMediaKind } from "~/server/messages/content";
import { MediaAssetPreview } from "./media-preview";
import { formatBytes } from "~/components/media/format-bytes";
import { MediaStorageCard } from "./media-storage";

type TNotice = { tone: "success" | "error"; text: string } | null;

/** What POST /api/media/uploads answers: the stored file, or why it was refused (in the reader's language). */
type TUploaded = { sha256: string; kind: TMediaKind; mimeType: string; size: number; fileName?: string };

/**
 * Sends one file to the upload route as the request body (streamed by the server into the
 * store, its real type checked there): `kind` the kind to check it against, or `auto`.
 */
async function uploadFile(file: File, kind: TMediaKind | "auto"): Promise<TUploaded> {
  const response = await fetch(`/api/media/uploads?kind=${kind}`, {
    method: "POST",
    body: file,
    headers: {
      "Content-Type": file.type || "application/octet-stream",
      "X-File-Name": encodeURIComponent(file.name),
    },
  });
  const answer = (await response.json().catch(() => null)) as
    (TUploaded & { error?: undefined }) | { error: { code: string; message: string } } | null;
  if (!response.ok || !answer || answer.error) throw new Error(answer?.error?.message ?? response.statusText);
  return answer;
}

/** Settings → Media: the media library (files rules send), how long media is kept, and the store's figures. */
export function MediaLibraryPanel({ canWrite }: { canWrite: boolean }) {
  const [notice, setNotice] = useState<TNotice>(null);
  return (
    <div className="space-y-6">
      {notice ? (
        <Alert tone={notice.tone} className="break-words">
          {notice.text}
        </Alert>
      ) : null}
      {canWrite ? <UploadForm onNotice={setNotice} /> : null}
      <LibraryTable canWrite={canWrite} onNotice={setNotice} />
      <MediaStorageCard canWrite={canWrite} />
    </div>
  );
}

function UploadForm({ onNotice }: { onNotice: (notice: TNotice) => void }) {
  const t = useTranslations("mediaLibrary");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = { file: useId(), name: useId(), kind: useId() };
  // A new key empties the file field after an upload (a file input cannot be set).
  const [fileField, setFileField] = useState(0);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [kind, setKind] = useState<TMediaKind | "auto">("auto");
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const create = useMutation(trpc.media.createAsset.mutationOptions());

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return setFieldErrors({ file: t("upload.pickFile") });
    setBusy(true);
    setFieldErrors({});
    onNotice(null);
    try {
      const uploaded = await uploadFile(file, kind);
      const assetName = name.trim() || file.name.replace(/\.[^.]+$/, "") || file.name;
      await create.mutateAsync({
        sha256: uploaded.sha256,
        name: assetName,
        kind: uploaded.kind,
        ...(uploaded.fileName ? { fileName: uploaded.fileName } : { fileName: file.name }),
      });
      await queryClient.invalidateQueries({ queryKey: trpc.media.assets.queryKey() });
      await queryClient.invalidateQueries({ queryKey: trpc.media.storage.queryKey() });
      onNotice({ tone: "success", text: t("upload.added", { name: assetName }) });
      setFile(null);
      setName("");
      setFileField((key) => key + 1);
    } catch (error) {
      const described = describeError(error);
      setFieldErrors(described.fieldErrors);
      onNotice({ tone: "error", text: described.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card>
      <CardHeader title={t("upload.title")} description={t("upload.description")} />
      <CardBody>
        <form
          className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4 lg:items-end"
          onSubmit={(event) => void submit(event)}
        >
          <Field label={t("upload.file")} htmlFor={ids.file} error={fieldErrors.file} className="lg:col-span-2">
            <Input
              key={fileField}
              id={ids.file}
              type="file"
              onChange={(event) => {
                const picked = event.target.files?.[0] ?? null;
                setFile(picked);
                setFieldErrors({});
              }}
            />
          </Field>
          <Field label={t("upload.name")} htmlFor={ids.name} error={fieldErrors.name} hint={t("upload.nameHint")}>
            <Input id={ids.name} value={name} maxLength={120} onChange={(event) => setName(event.target.value)} />
          </Field>
          <Field label={t("upload.kind")} htmlFor={ids.kind} error={fieldErrors.kind}>
            <Select id={ids.kind} value={kind} onChange={(event) => setKind(event.target.value as TMediaKind | "auto")}>
              <option value="auto">{t("upload.auto")}</option>
              {MEDIA_KINDS.map((option) => (
                <option key={option} value={option}>
                  {t(`kinds.${option}`)}
                </option>
              ))}
            </Select>
          </Field>
          <div className="sm:col-span-2 lg:col-span-4">
            <Button type="submit" disabled={busy}>
              {busy ? t("upload.adding") : t("upload.submit")}
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}

function LibraryTable({ canWrite, onNotice }: { canWrite: boolean; onNotice: (notice: TNotice) => void }) {
  const t = useTranslations("mediaLibrary");
  const tCommon = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const assets = useQuery(trpc.media.assets.queryOptions());
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.media.assets.queryKey() });
  const onError = (error: unknown) => onNotice({ tone: "error", text: describeError(error).message });
  const rename = useMutation(
    trpc.media.renameAsset.mutationOptions({
      onSuccess: (row) => {
        setRenaming(null);
        onNotice({ tone: "success", text: t("list.renamed", { name: row.name }) });
        void invalidate();
      },
      onError,
    }),
  );
  const remove = useMutation(
    trpc.media.deleteAsset.mutationOptions({
      onSuccess: () => {
        onNotice({ tone: "success", text: t("list.deleted") });
        void invalidate();
      },
      onError,
    }),
  );

  return (
    <Card>
      <CardHeader title={t("list.title")} description={t("list.description")} />
      {assets.error ? (
        <CardBody>
          <Alert tone="error">{describeError(assets.error).message}</Alert>
        </CardBody>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>{t("list.file")}</Th>
              <Th>{t("list.kind")}</Th>
              <Th>{t("list.size")}</Th>
              <Th>{t("list.addedBy")}</Th>
              <Th>{t("list.usedBy")}</Th>
              {canWrite ? <Th className="text-right">{t("list.actions")}</Th> : null}
            </tr>
          </thead>
          <tbody>
            {!assets.data ? (
              <EmptyRow colSpan={canWrite ? 6 : 5}>{tCommon("loading")}</EmptyRow>
            ) : assets.data.length === 0 ? (
              <EmptyRow colSpan={canWrite ? 6 : 5}>{t("list.empty")}</EmptyRow>
            ) : (
              assets.data.map((asset) => (
                <tr key={asset.id} data-testid="media-asset">
                  <Td>
                    <div className="flex min-w-48 items-center gap-3">
                      <MediaAssetPreview asset={asset} />
                      {renaming?.id === asset.id ? (
                        <form
                          className="flex flex-wrap items-center gap-2"
                          onSubmit={(event) => {
                            event.preventDefault();
                            rename.mutate({ id: asset.id, name: renaming.name });
                          }}
                        >
                          <Input
                            aria-label={t("list.newName", { name: asset.name })}
                            className="w-48"
                            value={renaming.name}
                            maxLength={120}
                            autoFocus
                            onChange={(event) => setRenaming({ id: asset.id, name: event.target.value })}
                          />
                          <Button size="sm" type="submit" disabled={rename.isPending}>
                            {t("list.save")}
                          </Button>
                          <Button size="sm" variant="ghost" onClick={() => setRenaming(null)}>
                            {t("list.cancel")}
                          </Button>
                        </form>
                      ) : (
                        <div className="min-w-0">
                          <p className="font-medium break-words" translate="no">
                            {asset.name}
                          </p>
                          {asset.fileName ? (
                            <p className="text-xs break-all text-muted-foreground" translate="no">
                              {asset.fileName}
                            </p>
                          ) : null}
                        </div>
                      )}
                    </div>
                  </Td>
                  <Td>{t(`kinds.${asset.kind}`)}</Td>
                  <Td className="whitespace-nowrap">{formatBytes(format, asset.size)}</Td>
                  <Td>
                    <p translate="no">{asset.createdBy?.name ?? t("list.unknownUser")}</p>
                    <p className="text-xs text-muted-foreground">
                      {format.dateTime(asset.createdAt, { dateStyle: "medium" })}
                    </p>
                  </Td>
                  <Td>
                    {asset.usedBy.published.length > 0 ? (
                      <span translate="no">{asset.usedBy.published.join(", ")}</span>
                    ) : (
                      <span className="text-muted-foreground">{t("list.unused")}</span>
                    )}
                  </Td>
                  {canWrite ? (
                    <Td className="text-right whitespace-nowrap">
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => setRenaming({ id: asset.id, name: asset.name })}
                        aria-label={t("list.renameLabel", { name: asset.name })}
                      >
                        {t("list.rename")}
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={remove.isPending}
                        onClick={() => {
                          if (window.confirm(t("list.confirmDelete", { name: asset.name })))
                            remove.mutate({ id: asset.id });
                        }}
                        aria-label={t("list.deleteLabel", { name: asset.name })}
                      >
                        {t("list.delete")}
                      </Button>
                    </Td>
                  ) : null}
                </tr>
              ))
            )}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
