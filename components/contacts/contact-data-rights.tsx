"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";

/**
 * A contact's data rights (docs/data-rights.md), for admins: download everything held about them
 * (a ZIP with their messages and media), or erase them for good after typing their name or number.
 */
export function ContactDataRights({ id, name, phone }: { id: string; name: string | null; phone: string }) {
  const t = useTranslations("domain.dataRights.ui");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const inputId = useId();
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState("");
  const erase = useMutation(trpc.dataRights.erase.mutationOptions());
  const confirm = async () => {
    setAsking(false);
    try {
      await erase.mutateAsync({ contactId: id, confirm: typed });
      await queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() });
      router.push("/contacts");
    } catch {
      // Shown below from the mutation's error.
    }
  };
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="space-y-3">
        <div className="flex flex-wrap gap-2">
          <a
            className="inline-flex items-center rounded-md border px-3 py-1.5 text-sm font-medium hover:bg-muted"
            href={`/api/contacts/${id}/data-export`}
            download
            data-testid="contact-data-export"
          >
            {t("export")}
          </a>
          <Button
            type="button"
            variant="destructive"
            disabled={erase.isPending}
            onClick={() => {
              setTyped("");
              setAsking(true);
            }}
          >
            {t("erase")}
          </Button>
        </div>
        {erase.error ? <Alert tone="error">{describeError(erase.error).message}</Alert> : null}
        {asking ? (
          <ConfirmDialog
            title={t("confirmTitle", { name: name ?? phone })}
            confirmLabel={t("confirmButton")}
            tone="destructive"
            onConfirm={() => void confirm()}
            onCancel={() => setAsking(false)}
          >
            <p className="mb-3 text-sm">{t("confirmBody")}</p>
            <Field label={t("confirmLabel")} htmlFor={inputId} hint={name ? `${name} · ${phone}` : phone}>
              <Input id={inputId} value={typed} autoComplete="off" onChange={(event) => setTyped(event.target.value)} />
            </Field>
          </ConfirmDialog>
        ) : null}
      </CardBody>
    </Card>
  );
}
