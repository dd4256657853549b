"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
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

type TNotice = { tone: "success" | "error"; text: string } | null;

export function UsersPanel({ currentUserId, canWrite }: { currentUserId: string; canWrite: boolean }) {
  const trpc = useTRPC();
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
          text: `Signed ${email} out of ${result.ended} session${result.ended === 1 ? "" : "s"}.`,
        });
      },
      onError,
    }),
  );
  const resetTwoFactor = useMutation(
    trpc.users.resetTwoFactor.mutationOptions({
      onSuccess: (_result, input) => {
        const email = users.data?.find((user) => user.id === input.id)?.email;
        setNotice({ tone: "success", text: `Two-factor sign-in is off for ${email}; they can set it up again.` });
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
          text: `New password for ${email}: ${result.generatedPassword} — shown only now.`,
        });
      },
      onError,
    }),
  );

  return (
    <div className="space-y-6">
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
      {canWrite ? (
        <CreateUserForm
          onCreated={(text) => {
            setNotice({ tone: "success", text });
            void invalidate();
          }}
        />
      ) : null}
      <Card>
        <CardHeader title="All users" />
        <CardBody>
          {users.error ? <Alert tone="error">{describeError(users.error).message}</Alert> : null}
          <Table>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Email</Th>
                <Th>Role</Th>
                <Th>Status</Th>
                <Th>Two-factor</Th>
                <Th>Last sign-in</Th>
                {canWrite ? <Th>Actions</Th> : null}
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
                        aria-label={`Role of ${user.email}`}
                        value={user.role}
                        disabled={update.isPending}
                        onChange={(event) =>
                          update.mutate({ id: user.id, role: event.target.value as (typeof USER_ROLES)[number] })
                        }
                        className="w-32"
                      >
                        {USER_ROLES.map((role) => (
                          <option key={role} value={role}>
                            {role}
                          </option>
                        ))}
                      </Select>
                    ) : (
                      <Badge>{user.role}</Badge>
                    )}
                  </Td>
                  <Td>
                    {user.disabled ? <Badge tone="danger">disabled</Badge> : <Badge tone="success">active</Badge>}
                  </Td>
                  <Td>{user.twoFactorEnabled ? <Badge tone="success">on</Badge> : <Badge>off</Badge>}</Td>
                  <Td>{user.lastLoginAt ? user.lastLoginAt.toLocaleString() : "never"}</Td>
                  {canWrite ? (
                    <Td>
                      <div className="flex min-w-64 flex-wrap gap-2">
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={user.id === currentUserId || setDisabled.isPending}
                          onClick={() => setDisabled.mutate({ id: user.id, disabled: !user.disabled })}
                        >
                          {user.disabled ? "Enable" : "Disable"}
                        </Button>
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={resetPassword.isPending}
                          onClick={() => {
                            if (window.confirm(`Reset the password of ${user.email}?`))
                              resetPassword.mutate({ id: user.id });
                          }}
                        >
                          Reset password
                        </Button>
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={signOutEverywhere.isPending}
                          onClick={() => {
                            if (window.confirm(`Sign ${user.email} out of every session?`))
                              signOutEverywhere.mutate({ id: user.id });
                          }}
                        >
                          Sign out everywhere
                        </Button>
                        {user.twoFactorEnabled ? (
                          <Button
                            size="sm"
                            variant="secondary"
                            disabled={resetTwoFactor.isPending}
                            onClick={() => {
                              if (
                                window.confirm(
                                  `Turn two-factor sign-in off for ${user.email}? Do this only when they lost their phone and their recovery codes.`,
                                )
                              )
                                resetTwoFactor.mutate({ id: user.id });
                            }}
                          >
                            Reset two-factor
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
          ? `Created ${result.user.email}. Password: ${result.generatedPassword} — shown only now.`
          : `Created ${result.user.email}.`,
      );
    } catch (caught) {
      const described = describeError(caught);
      setFieldErrors(described.fieldErrors);
      setError(described.message);
    }
  }

  return (
    <Card>
      <CardHeader title="Add a user" description="Leave the password empty to generate one; it is shown once." />
      <CardBody>
        <form
          onSubmit={(event) => void onSubmit(event)}
          className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5"
          noValidate
        >
          <Field label="Name" htmlFor="new-name" error={fieldErrors.name}>
            <Input id="new-name" name="name" required aria-invalid={Boolean(fieldErrors.name)} />
          </Field>
          <Field label="Email" htmlFor="new-email" error={fieldErrors.email}>
            <Input id="new-email" name="email" type="email" required aria-invalid={Boolean(fieldErrors.email)} />
          </Field>
          <Field label="Role" htmlFor="new-role" error={fieldErrors.role}>
            <Select id="new-role" name="role" defaultValue="agent">
              {USER_ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Password (optional)" htmlFor="new-password" error={fieldErrors.password}>
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
              {create.isPending ? "Adding…" : "Add user"}
            </Button>
          </div>
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
