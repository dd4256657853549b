"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { formText } from "~/components/ui/form-text";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import { Table, Td, Th } from "~/components/ui/table";
import { USER_ROLES } from "~/server/auth/roles";

/** The create form's fields, as the server names them in its field errors. */
const FORM_FIELDS = ["name", "email", "role", "password"] as const;

type TNotice = { tone: "success" | "error"; text: string } | null;

/** The Users page: everyone who can sign in, their role and sign-in state; admins add users and act on them. */
export function UsersPanel({ currentUserId, canWrite }: { currentUserId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("users");
  const tCommon = useTranslations("common");
  const format = useFormatter();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const [notice, setNotice] = useState<TNotice>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const onError = (error: unknown) => setNotice({ tone: "error", text: describeError(error).message });

  const update = useMutation(trpc.users.update.mutationOptions({ onSuccess: invalidate, onError }));
  const setDisabled = useMutation(trpc.users.setDisabled.mutationOptions({ onSuccess: invalidate, onError }));
  const signOutEverywhere = useMutation(
    trpc.users.signOutEverywhere.mutationOptions({
      onSuccess: (result, input) => {
        const email = users.data?.find((user) => user.id === input.id)?.email;
        setNotice({
          tone: "success",
          text: t("notice.signedOut", { email: email ?? "", count: result.ended }),
        });
      },
      onError,
    }),
  );
  const resetTwoFactor = useMutation(
    trpc.users.resetTwoFactor.mutationOptions({
      onSuccess: (_result, input) => {
        const email = users.data?.find((user) => user.id === input.id)?.email;
        setNotice({ tone: "success", text: t("notice.twoFactorOff", { email: email ?? "" }) });
        void invalidate();
      },
      onError,
    }),
  );
  const resetPassword = useMutation(
    trpc.users.resetPassword.mutationOptions({
      onSuccess: (result, input) => {
        const email = users.data?.find((user) => user.id === input.id)?.email;
        setNotice({
          tone: "success",
          text: t("notice.newPassword", { email: email ?? "", password: result.generatedPassword ?? "" }),
        });
      },
      onError,
    }),
  );

  return (
    <div className="space-y-6">
      {notice ? (
        <Alert tone={notice.tone} className="break-words">
          {notice.text}
        </Alert>
      ) : null}
      {canWrite ? (
        <CreateUserForm
          onCreated={(text) => {
            setNotice({ tone: "success", text });
            void invalidate();
          }}
        />
      ) : null}
      <Card>
        <CardHeader title={t("list.title")} />
        <CardBody>
          {users.error ? <Alert tone="error">{describeError(users.error).message}</Alert> : null}
          <Table>
            <thead>
              <tr>
                <Th>{t("list.name")}</Th>
                <Th>{t("list.email")}</Th>
                <Th>{t("list.role")}</Th>
                <Th>{t("list.status")}</Th>
                <Th>{t("list.twoFactor")}</Th>
                <Th>{t("list.lastSignIn")}</Th>
                {canWrite ? <Th>{t("list.actions")}</Th> : null}
              </tr>
            </thead>
            <tbody>
              {users.data?.map((user) => (
                <tr key={user.id} data-testid={`user-row-${user.email}`}>
                  <Td>{user.name}</Td>
                  <Td>{user.email}</Td>
                  <Td>
                    {canWrite ? (
                      <Select
                        aria-label={t("list.roleOf", { email: user.email })}
                        value={user.role}
                        disabled={update.isPending}
                        onChange={(event) =>
                          update.mutate({ id: user.id, role: event.target.value as (typeof USER_ROLES)[number] })
                        }
                        className="w-36"
                      >
                        {USER_ROLES.map((role) => (
                          <option key={role} value={role}>
                            {t(`role.${role}`)}
                          </option>
                        ))}
                      </Select>
                    ) : (
                      <Badge>{t(`role.${user.role}`)}</Badge>
                    )}
                  </Td>
                  <Td>
                    {user.disabled ? (
                      <Badge tone="danger">{t("list.disabled")}</Badge>
                    ) : (
                      <Badge tone="success">{t("list.active")}</Badge>
                    )}
                  </Td>
                  <Td>
                    {user.twoFactorEnabled ? (
                      <Badge tone="success">{t("list.on")}</Badge>
                    ) : (
                      <Badge>{t("list.off")}</Badge>
                    )}
                  </Td>
                  <Td>{user.lastLoginAt ? format.dateTime(new Date(user.lastLoginAt), "short") : tCommon("never")}</Td>
                  {canWrite ? (
                    <Td>
                      <div className="flex min-w-64 flex-wrap gap-2">
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={user.id === currentUserId || setDisabled.isPending}
                          onClick={() => setDisabled.mutate({ id: user.id, disabled: !user.disabled })}
                        >
                          {user.disabled ? t("list.enable") : t("list.disable")}
                        </Button>
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={resetPassword.isPending}
                          onClick={() => {
                            if (window.confirm(t("list.confirmResetPassword", { email: user.email })))
                              resetPassword.mutate({ id: user.id });
                          }}
                        >
                          {t("list.resetPassword")}
                        </Button>
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={signOutEverywhere.isPending}
                          onClick={() => {
                            if (window.confirm(t("list.confirmSignOut", { email: user.email })))
                              signOutEverywhere.mutate({ id: user.id });
                          }}
                        >
                          {t("list.signOutEverywhere")}
                        </Button>
                        {user.twoFactorEnabled ? (
                          <Button
                            size="sm"
                            variant="secondary"
                            disabled={resetTwoFactor.isPending}
                            onClick={() => {
                              if (window.confirm(t("list.confirmResetTwoFactor", { email: user.email })))
                                resetTwoFactor.mutate({ id: user.id });
                            }}
                          >
                            {t("list.resetTwoFactor")}
                          </Button>
                        ) : null}
                      </div>
                    </Td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        </CardBody>
      </Card>
    </div>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (message: string) => void }) {
  const trpc = useTRPC();
  const t = useTranslations("users");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.users.create.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const password = formText(form, "password");
    setFieldErrors({});
    setError(null);
    try {
      const result = await create.mutateAsync({
        email: formText(form, "email"),
        name: formText(form, "name"),
        role: formText(form, "role") as (typeof USER_ROLES)[number],
        password: password || undefined,
      });
      formElement.reset();
      onCreated(
        result.generatedPassword
          ? t("notice.createdWithPassword", { email: result.user.email, password: result.generatedPassword })
          : t("notice.created", { email: result.user.email }),
      );
    } catch (caught) {
      const described = describeError(caught);
      setFieldErrors(described.fieldErrors);
      setError(described.message);
    }
  }

  return (
    <Card>
      <CardHeader title={t("create.title")} description={t("create.description")} />
      <CardBody>
        <form
          onSubmit={(event) => void onSubmit(event)}
          className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5"
          noValidate
        >
          <Field label={t("create.name")} htmlFor="new-name" error={fieldErrors.name}>
            <Input id="new-name" name="name" required aria-invalid={Boolean(fieldErrors.name)} />
          </Field>
          <Field label={t("create.email")} htmlFor="new-email" error={fieldErrors.email}>
            <Input id="new-email" name="email" type="email" required aria-invalid={Boolean(fieldErrors.email)} />
          </Field>
          <Field label={t("create.role")} htmlFor="new-role" error={fieldErrors.role}>
            <Select id="new-role" name="role" defaultValue="agent">
              {USER_ROLES.map((role) => (
                <option key={role} value={role}>
                  {t(`role.${role}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t("create.password")} htmlFor="new-password" error={fieldErrors.password}>
            <Input
              id="new-password"
              name="password"
              type="password"
              autoComplete="new-password"
              aria-invalid={Boolean(fieldErrors.password)}
            />
          </Field>
          <div className="flex items-end">
            <Button type="submit" disabled={create.isPending} className="w-full">
              {create.isPending ? t("create.adding") : t("create.submit")}
            </Button>
          </div>
        </form>
        {error ? (
          <Alert tone="error" className="mt-4">
            {FORM_FIELDS.some((field) => fieldErrors[field]) ? t("create.checkFields") : error}
          </Alert>
        ) : null}
      </CardBody>
    </Card>
  );
}
