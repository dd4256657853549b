"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input } from "~/components/ui/input";
import { Alert } from "~/components/ui/alert";

/** Adds a WhatsApp number: a worker picks it up within seconds and its card shows the QR code to scan. */
export function AddSessionForm({ onAdded }: { onAdded: (name: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.sessions.create.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setFieldErrors({});
    setError(null);
    try {
      const created = await create.mutateAsync({ name: formText(form, "name") });
      formElement.reset();
      await queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
      onAdded(created.name);
    } catch (caught) {
      const described = describeError(caught);
      setFieldErrors(described.fieldErrors);
      setError(described.message);
    }
  }

  return (
    <Card>
      <CardHeader
        title="Add a WhatsApp number"
        description="Name it, then scan the QR code that appears on its card with the phone that has the number."
      />
      <CardBody>
        <form onSubmit={(event) => void onSubmit(event)} className="flex flex-wrap items-start gap-4" noValidate>
          <Field
            label="Name"
            htmlFor="new-session-name"
            hint="For you only, e.g. “Support line”."
            error={fieldErrors.name}
            className="w-full sm:w-80"
          >
            <Input
              id="new-session-name"
              name="name"
              required
              maxLength={80}
              autoComplete="off"
              aria-invalid={Boolean(fieldErrors.name)}
            />
          </Field>
          <Button type="submit" disabled={create.isPending} className="sm:mt-7">
            {create.isPending ? "Adding…" : "Add number"}
          </Button>
        </form>
        {error && Object.keys(fieldErrors).length === 0 ? (
          <Alert tone="error" className="mt-4">
            {error}
          </Alert>
        ) : null}
      </CardBody>
    </Card>
  );
}
