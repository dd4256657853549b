"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useDeferredValue, useId, useState } from "react";
import { parseWords } from "~/components/settings/settings-errors";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import type { TSegmentFilter } from "~/server/campaigns/segments";

type TTri = "any" | "yes" | "no";
const boolOf = (value: TTri): boolean | undefined => (value === "any" ? undefined : value === "yes");

/**
 * A segment's filter as a form (tags any / none, opted in, wrote first, last contact), with the
 * live count of the contacts it matches and how many a campaign could reach. Saves a new segment.
 */
export function SegmentEditor({ onSaved }: { onSaved: (id: string) => void }) {
  const t = useTranslations("domain.campaigns.ui.segment");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState("");
  const [anyTags, setAnyTags] = useState("");
  const [noneTags, setNoneTags] = useState("");
  const [optedIn, setOptedIn] = useState<TTri>("any");
  const [wroteFirst, setWroteFirst] = useState<TTri>("any");
  const [withinDays, setWithinDays] = useState("");
  const [error, setError] = useState<{ message: string; fields: Record<string, string> } | null>(null);

  const filter: TSegmentFilter = {
    ...(anyTags.trim() || noneTags.trim()
      ? { tags: { any: parseWords(anyTags), all: [], none: parseWords(noneTags) } }
      : {}),
    ...(boolOf(optedIn) !== undefined ? { optedIn: boolOf(optedIn) } : {}),
    ...(boolOf(wroteFirst) !== undefined ? { wroteFirst: boolOf(wroteFirst) } : {}),
    ...(Number(withinDays) > 0 ? { lastContact: { withinDays: Math.floor(Number(withinDays)) } } : {}),
  };
  // The count follows the form, a keystroke behind.
  const counted = useDeferredValue(filter);
  const count = useQuery(
    trpc.campaigns.countSegment.queryOptions({ filter: counted }, { placeholderData: (last) => last }),
  );
  const save = useMutation(
    trpc.campaigns.saveSegment.mutationOptions({
      onSuccess: async (saved) => {
        await queryClient.invalidateQueries({ queryKey: trpc.campaigns.segments.queryKey() });
        onSaved(saved.id);
      },
      onError: (failure) => {
        const described = describeError(failure);
        setError({ message: described.message, fields: described.fieldErrors });
      },
    }),
  );

  return (
    // A group, not a form: it sits inside the campaign's form (forms do not nest).
    <div role="group" className="flex flex-col gap-3 rounded-md border border-border p-3" aria-label={t("heading")}>
      <p className="text-sm font-medium">{t("heading")}</p>
      <Field label={t("name")} htmlFor={`${id}-name`} error={error?.fields.name}>
        <Input
          id={`${id}-name`}
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
          maxLength={120}
        />
      </Field>
      <div className="grid gap-3 md:grid-cols-2">
        <Field label={t("anyTags")} htmlFor={`${id}-any`} hint={t("tagsHint")}>
          <Input id={`${id}-any`} value={anyTags} onChange={(event) => setAnyTags(event.target.value)} />
        </Field>
        <Field label={t("noneTags")} htmlFor={`${id}-none`} hint={t("tagsHint")}>
          <Input id={`${id}-none`} value={noneTags} onChange={(event) => setNoneTags(event.target.value)} />
        </Field>
        <Field label={t("optedIn")} htmlFor={`${id}-opted`}>
          <Select id={`${id}-opted`} value={optedIn} onChange={(event) => setOptedIn(event.target.value as TTri)}>
            <option value="any">{t("any")}</option>
            <option value="yes">{t("optedInYes")}</option>
            <option value="no">{t("optedInNo")}</option>
          </Select>
        </Field>
        <Field label={t("wroteFirst")} htmlFor={`${id}-wrote`}>
          <Select id={`${id}-wrote`} value={wroteFirst} onChange={(event) => setWroteFirst(event.target.value as TTri)}>
            <option value="any">{t("any")}</option>
            <option value="yes">{t("wroteFirstYes")}</option>
            <option value="no">{t("wroteFirstNo")}</option>
          </Select>
        </Field>
        <Field label={t("withinDays")} htmlFor={`${id}-days`} hint={t("withinDaysHint")}>
          <Input
            id={`${id}-days`}
            type="number"
            inputMode="numeric"
            min={1}
            max={3650}
            value={withinDays}
            onChange={(event) => setWithinDays(event.target.value)}
          />
        </Field>
      </div>
      <p className="text-sm" data-testid="segment-count" aria-live="polite">
        {count.data
          ? t("count", {
              matching: format.number(count.data.matching),
              reachable: format.number(count.data.reachable),
            })
          : count.error
            ? describeError(count.error).message
            : t("counting")}
      </p>
      {error ? <Alert tone="error">{error.message}</Alert> : null}
      <div>
        <Button
          variant="secondary"
          disabled={save.isPending}
          onClick={() => {
            setError(null);
            save.mutate({ id: null, segment: { name, filter } });
          }}
        >
          {t("save")}
        </Button>
      </div>
    </div>
  );
}
