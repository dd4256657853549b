import { asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import {
  contactFields,
  contextProfiles,
  flowVersions,
  flows,
  knowledgeCollections,
  knowledgeSources,
  mediaAssets,
  profileCollections,
  teams,
  users,
  webhooks,
} from "~/db/schema";
import { ASSIGNMENT_MODES } from "~/db/schema/teams";
import { CONTACT_FIELD_TYPES } from "~/db/schema/flows";
import { SEARCH_LANGUAGES } from "~/db/schema/knowledge";
import { listDraftRules, getPublishedVersion } from "~/server/rules/rules";
import { getOrgSettings } from "~/server/settings/settings";
import { ZUpdateOrgSettingsInput } from "~/server/settings/schema";

/** The `format` every configuration file carries; anything else is not ours. */
export const CONFIG_FORMAT = "switchboard-config";
/** The newest version this build reads and writes; a newer file is refused, never half-read. */
export const CONFIG_VERSION = 1;

/**
 * Rules and flows point at other things by database id (`profileId`, `flowId`…). In the file those
 * keys become `<name>Ref` holding the thing's natural key (its name; a person's e-mail), so the
 * file means the same on an instance where every id differs.
 */
export const REFERENCE_KEYS = {
  profileId: "profileRef",
  flowId: "flowRef",
  teamId: "teamRef",
  assigneeId: "assigneeRef",
  mediaAssetId: "mediaAssetRef",
} as const;
export type TReferenceKey = keyof typeof REFERENCE_KEYS;
export type TReferenceKind = (typeof REFERENCE_KEYS)[TReferenceKey];
export const REFERENCE_KIND_OF = Object.fromEntries(
  Object.entries(REFERENCE_KEYS).map(([id, ref]) => [ref, id as TReferenceKey]),
) as Record<TReferenceKind, TReferenceKey>;

/** Rewrites every key of `keys` at any depth of `value` with `map` (a JSON tree: arrays and plain objects). */
export function rewriteKeys(
  value: unknown,
  keys: Record<string, string>,
  map: (fromKey: string, value: unknown) => unknown,
): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteKeys(item, keys, map));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const renamed = keys[key];
    if (renamed !== undefined) out[renamed] = map(key, inner);
    else out[key] = rewriteKeys(inner, keys, map);
  }
  return out;
}

/**
 * Settings that belong to one instance, never to the configuration moved between them: data
 * retention (a staging export's 7 days would make production's nightly jobs delete its messages
 * and media for good) and the two-factor rule for admins (an instance's own sign-in policy).
 * Left out of the export, and ignored in a file that has them.
 */
export const INSTANCE_SETTINGS = ["messageRetentionDays", "mediaRetentionDays", "requireTwoFactorForAdmins"] as const;

function withoutInstanceSettings<T>(value: T): T {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of INSTANCE_SETTINGS) delete out[key];
  return out as T;
}

const ZName = z.string().trim().min(1).max(200);
const ZJsonObject = z.record(z.string(), z.unknown());

const ZRuleDocument = ZJsonObject;
const ZFlowBody = z.object({ name: ZName, definition: ZJsonObject, triggers: ZJsonObject });

/** The whole file, checked for shape; each part is checked again by its own domain's schema on import. */
export const ZConfigDocument = z
  .object({
    format: z.string(),
    version: z.number().int(),
    exportedAt: z.string().max(100).optional(),
    settings: z.preprocess(
      withoutInstanceSettings,
      ZUpdateOrgSettingsInput.omit({
        messageRetentionDays: true,
        mediaRetentionDays: true,
        requireTwoFactorForAdmins: true,
      }).default({}),
    ),
    contactFields: z
      .array(
        z.object({
          key: z.string().max(40),
          label: z.string().max(200),
          type: z.enum(CONTACT_FIELD_TYPES),
          options: z.array(z.string().max(200)).max(100).default([]),
        }),
      )
      .max(100)
      .default([]),
    teams: z
      .array(
        z.object({
          name: ZName,
          assignmentMode: z.enum(ASSIGNMENT_MODES).default("off"),
          maxOpenPerAgent: z.number().int().min(1).max(1000).default(5),
          businessHours: ZJsonObject.nullable().default(null),
          acknowledge: z.boolean().default(true),
          ackMessage: z.string().max(1000).nullable().default(null),
          closedMessage: z.string().max(1000).nullable().default(null),
          slaFirstResponseMinutes: z.number().int().min(1).max(100_000).nullable().default(null),
          slaResolutionMinutes: z.number().int().min(1).max(100_000).nullable().default(null),
          surveyEnabled: z.boolean().default(false),
        }),
      )
      .max(500)
      .default([]),
    knowledge: z
      .array(
        z.object({
          name: ZName,
          description: z.string().max(1000).default(""),
          language: z.enum(SEARCH_LANGUAGES).default("simple"),
          sources: z
            .array(
              z.object({
                kind: z.enum(["text", "url"]),
                title: z.string().max(200),
                content: z.string().max(2_000_000).default(""),
                url: z.string().max(2000).nullable().default(null),
                refreshHours: z.number().int().min(1).max(8760).nullable().default(null),
              }),
            )
            .max(1000)
            .default([]),
        }),
      )
      .max(500)
      .default([]),
    profiles: z
      .array(ZJsonObject.and(z.object({ name: ZName, collections: z.array(ZName).max(50).default([]) })))
      .max(500)
      .default([]),
    flows: z
      .array(
        z.object({
          name: ZName,
          description: z.string().max(1000).default(""),
          enabled: z.boolean().default(true),
          definition: ZJsonObject,
          triggers: ZJsonObject.default({}),
          published: ZFlowBody.nullable().default(null),
        }),
      )
      .max(1000)
      .default([]),
    rules: z
      .object({
        draft: z.array(ZRuleDocument).max(1000).default([]),
        published: z.array(ZRuleDocument).max(1000).nullable().default(null),
      })
      .default({ draft: [], published: null }),
    webhooks: z
      .array(
        z.object({
          url: z.string().max(2000),
          description: z.string().max(500).default(""),
          events: z.array(z.string().max(100)).max(200).default([]),
          enabled: z.boolean().default(true),
        }),
      )
      .max(200)
      .default([]),
  })
  .strict();
export type TConfigDocument = z.output<typeof ZConfigDocument>;

/** Names of the things rules and flows may point at, by id (and back, case-insensitively, by name). */
export type TReferenceNames = Record<TReferenceKey, Map<string, string>>;

export async function loadReferenceNames(db: TDbOrTx): Promise<TReferenceNames> {
  const [profileRows, flowRows, teamRows, userRows, assetRows] = await Promise.all([
    db.select({ id: contextProfiles.id, name: contextProfiles.name }).from(contextProfiles),
    db.select({ id: flows.id, name: flows.name }).from(flows),
    db.select({ id: teams.id, name: teams.name }).from(teams),
    db.select({ id: users.id, name: users.email }).from(users),
    db.select({ id: mediaAssets.id, name: mediaAssets.name }).from(mediaAssets),
  ]);
  const byId = (rows: { id: string; name: string }[]) => new Map(rows.map((row) => [row.id, row.name]));
  return {
    profileId: byId(profileRows),
    flowId: byId(flowRows),
    teamId: byId(teamRows),
    assigneeId: byId(userRows),
    mediaAssetId: byId(assetRows),
  };
}

function toReferences(value: unknown, names: TReferenceNames): unknown {
  return rewriteKeys(value, REFERENCE_KEYS, (key, id) =>
    typeof id === "string" ? (names[key as TReferenceKey].get(id) ?? null) : null,
  );
}

function sortedByName<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => a.name.localeCompare(b.name, "en"));
}

/**
 * The instance's bot configuration as one JSON document: rules (draft and published), flows
 * (draft and published), context profiles, knowledge collections with their sources' text,
 * contact field definitions, teams' queue settings, org settings and webhook endpoints without
 * their secrets. Never contacts, conversations, users, API keys or any secret. References use
 * names, not ids (see REFERENCE_KEYS).
 */
export async function exportConfiguration(db: TDbOrTx, now = new Date()) {
  const names = await loadReferenceNames(db);
  const [
    settings,
    fieldRows,
    teamRows,
    collectionRows,
    sourceRows,
    profileRows,
    linkRows,
    flowRows,
    draftRules,
    published,
    hookRows,
  ] = await Promise.all([
    getOrgSettings(db),
    db.select().from(contactFields).orderBy(asc(contactFields.position), asc(contactFields.key)),
    db.select().from(teams),
    db.select().from(knowledgeCollections),
    db.select().from(knowledgeSources).orderBy(asc(knowledgeSources.createdAt), asc(knowledgeSources.id)),
    db.select().from(contextProfiles),
    db
      .select({ profileId: profileCollections.profileId, name: knowledgeCollections.name })
      .from(profileCollections)
      .innerJoin(knowledgeCollections, eq(knowledgeCollections.id, profileCollections.collectionId)),
    db.select().from(flows),
    listDraftRules(db),
    getPublishedVersion(db),
    db.select().from(webhooks).orderBy(asc(webhooks.createdAt)),
  ]);
  const publishedFlows = flowRows.filter((row) => row.publishedVersion !== null);
  const versions =
    publishedFlows.length > 0
      ? await db
          .select()
          .from(flowVersions)
          .where(
            inArray(
              flowVersions.flowId,
              publishedFlows.map((row) => row.id),
            ),
          )
      : [];
  const versionOf = new Map(versions.map((row) => [`${row.flowId}:${row.version}`, row]));

  return {
    format: CONFIG_FORMAT,
    version: CONFIG_VERSION,
    exportedAt: now.toISOString(),
    settings: withoutInstanceSettings(settings) as Omit<typeof settings, (typeof INSTANCE_SETTINGS)[number]>,
    contactFields: fieldRows.map((row) => ({ key: row.key, label: row.label, type: row.type, options: row.options })),
    teams: sortedByName(
      teamRows.map((row) => ({
        name: row.name,
        assignmentMode: row.assignmentMode,
        maxOpenPerAgent: row.maxOpenPerAgent,
        businessHours: row.businessHours ?? null,
        acknowledge: row.acknowledge,
        ackMessage: row.ackMessage,
        closedMessage: row.closedMessage,
        slaFirstResponseMinutes: row.slaFirstResponseMinutes,
        slaResolutionMinutes: row.slaResolutionMinutes,
        surveyEnabled: row.surveyEnabled,
      })),
    ),
    knowledge: sortedByName(
      collectionRows.map((collection) => ({
        name: collection.name,
        description: collection.description,
        language: collection.language,
        // A file's bytes stay behind: its extracted text travels as a text source (see docs).
        sources: sourceRows
          .filter((source) => source.collectionId === collection.id)
          .map((source) =>
            source.kind === "url"
              ? {
                  kind: "url" as const,
                  title: source.title,
                  content: "",
                  url: source.url,
                  refreshHours: source.refreshHours,
                }
              : {
                  kind: "text" as const,
                  title: source.title,
                  content: source.content,
                  url: null,
                  refreshHours: null,
                },
          ),
      })),
    ),
    profiles: sortedByName(
      profileRows.map((row) => ({
        name: row.name,
        persona: row.persona,
        businessInfo: row.businessInfo,
        tone: row.tone,
        formality: row.formality,
        responseLength: row.responseLength,
        emoji: row.emoji,
        language: row.language,
        topics: row.topics,
        topicsToAvoid: row.topicsToAvoid,
        instructions: row.instructions,
        fallbackText: row.fallbackText,
        isDefault: row.isDefault,
        relationships: row.relationships,
        knowledgeOnly: row.knowledgeOnly,
        citeSources: row.citeSources,
        collections: linkRows
          .filter((link) => link.profileId === row.id)
          .map((link) => link.name)
          .sort(),
      })),
    ),
    flows: sortedByName(
      flowRows.map((row) => {
        const version = row.publishedVersion === null ? undefined : versionOf.get(`${row.id}:${row.publishedVersion}`);
        return {
          name: row.name,
          description: row.description,
          enabled: row.enabled,
          definition: toReferences(row.definition, names) as Record<string, unknown>,
          triggers: row.triggers,
          published: version
            ? {
                name: version.name,
                definition: toReferences(version.definition, names) as Record<string, unknown>,
                triggers: version.triggers,
              }
            : null,
        };
      }),
    ),
    rules: {
      draft: draftRules.map(({ id: _id, ...rule }) => toReferences(rule, names) as Record<string, unknown>),
      published: published
        ? published.rules.map(({ id: _id, ...rule }) => toReferences(rule, names) as Record<string, unknown>)
        : null,
    },
    webhooks: hookRows.map((row) => ({
      url: row.url,
      description: row.description,
      events: row.events,
      enabled: row.enabled,
    })),
  };
}
export type TExportedConfiguration = Awaited<ReturnType<typeof exportConfiguration>>;
