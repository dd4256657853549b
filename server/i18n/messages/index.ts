// The catalogues, one JSON file per language and area (components of one area use one namespace).
// Generated list: add an area here and a JSON file per language.
import en_common from "./en/common.json";
import en_shell from "./en/shell.json";
import en_home from "./en/home.json";
import en_system from "./en/system.json";
import en_auth from "./en/auth.json";
import en_account from "./en/account.json";
import en_inbox from "./en/inbox.json";
import en_outbox from "./en/outbox.json";
import en_contacts from "./en/contacts.json";
import en_rules from "./en/rules.json";
import en_simulator from "./en/simulator.json";
import en_profiles from "./en/profiles.json";
import en_sessions from "./en/sessions.json";
import en_analytics from "./en/analytics.json";
import en_webhooks from "./en/webhooks.json";
import en_api from "./en/api.json";
import en_settings from "./en/settings.json";
import en_users from "./en/users.json";
import en_audit from "./en/audit.json";
import en_errors from "./en/errors.json";
import en_start from "./en/start.json";
import en_domainA from "./en/domain-a.json";
import en_domainB from "./en/domain-b.json";
import en_media from "./en/media.json";
import en_mediaLibrary from "./en/media-library.json";
import en_domainC from "./en/domain-c.json";
import en_domainD from "./en/domain-d.json";
import en_domainE from "./en/domain-e.json";
import en_domainF from "./en/domain-f.json";
import en_domainG from "./en/domain-g.json";
import en_domainH from "./en/domain-h.json";
import en_domainI from "./en/domain-i.json";
import en_domainJ from "./en/domain-j.json";
import en_domainK from "./en/domain-k.json";
import en_domainL from "./en/domain-l.json";
import en_domainM from "./en/domain-m.json";
import en_domainN from "./en/domain-n.json";
import en_domainO from "./en/domain-o.json";
import en_domainP from "./en/domain-p.json";
import en_domainQ from "./en/domain-q.json";
import en_domainR from "./en/domain-r.json";
import en_domainS from "./en/domain-s.json";
import en_domainT from "./en/domain-t.json";
import en_domainU from "./en/domain-u.json";
import en_domainV from "./en/domain-v.json";
import en_domainW from "./en/domain-w.json";
import en_domainX from "./en/domain-x.json";
import en_domainY from "./en/domain-y.json";
import en_domainZ from "./en/domain-z.json";
import en_domainAa from "./en/domain-aa.json";
import en_domainAb from "./en/domain-ab.json";
import en_domainAc from "./en/domain-ac.json";
import en_domainAd from "./en/domain-ad.json";
import en_domainAe from "./en/domain-ae.json";
import en_domainAf from "./en/domain-af.json";
import en_domainAg from "./en/domain-ag.json";
import en_domainAh from "./en/domain-ah.json";
import en_domainAi from "./en/domain-ai.json";
import en_domainAj from "./en/domain-aj.json";
import en_domainAk from "./en/domain-ak.json";
import en_domainAl from "./en/domain-al.json";
import en_flows from "./en/flows.json";
import en_flowRuns from "./en/flow-runs.json";
import es_common from "./es/common.json";
import es_shell from "./es/shell.json";
import es_home from "./es/home.json";
import es_system from "./es/system.json";
import es_auth from "./es/auth.json";
import es_account from "./es/account.json";
import es_inbox from "./es/inbox.json";
import es_outbox from "./es/outbox.json";
import es_contacts from "./es/contacts.json";
import es_rules from "./es/rules.json";
import es_simulator from "./es/simulator.json";
import es_profiles from "./es/profiles.json";
import es_sessions from "./es/sessions.json";
import es_analytics from "./es/analytics.json";
import es_webhooks from "./es/webhooks.json";
import es_api from "./es/api.json";
import es_settings from "./es/settings.json";
import es_users from "./es/users.json";
import es_audit from "./es/audit.json";
import es_errors from "./es/errors.json";
import es_start from "./es/start.json";
import es_domainA from "./es/domain-a.json";
import es_domainB from "./es/domain-b.json";
import es_media from "./es/media.json";
import es_mediaLibrary from "./es/media-library.json";
import es_domainC from "./es/domain-c.json";
import es_domainD from "./es/domain-d.json";
import es_domainE from "./es/domain-e.json";
import es_domainF from "./es/domain-f.json";
import es_domainG from "./es/domain-g.json";
import es_domainH from "./es/domain-h.json";
import es_domainI from "./es/domain-i.json";
import es_domainJ from "./es/domain-j.json";
import es_domainK from "./es/domain-k.json";
import es_domainL from "./es/domain-l.json";
import es_domainM from "./es/domain-m.json";
import es_domainN from "./es/domain-n.json";
import es_domainO from "./es/domain-o.json";
import es_domainP from "./es/domain-p.json";
import es_domainQ from "./es/domain-q.json";
import es_domainR from "./es/domain-r.json";
import es_domainS from "./es/domain-s.json";
import es_domainT from "./es/domain-t.json";
import es_domainU from "./es/domain-u.json";
import es_domainV from "./es/domain-v.json";
import es_domainW from "./es/domain-w.json";
import es_domainX from "./es/domain-x.json";
import es_domainY from "./es/domain-y.json";
import es_domainZ from "./es/domain-z.json";
import es_domainAa from "./es/domain-aa.json";
import es_domainAb from "./es/domain-ab.json";
import es_domainAc from "./es/domain-ac.json";
import es_domainAd from "./es/domain-ad.json";
import es_domainAe from "./es/domain-ae.json";
import es_domainAf from "./es/domain-af.json";
import es_domainAg from "./es/domain-ag.json";
import es_domainAh from "./es/domain-ah.json";
import es_domainAi from "./es/domain-ai.json";
import es_domainAj from "./es/domain-aj.json";
import es_domainAk from "./es/domain-ak.json";
import es_domainAl from "./es/domain-al.json";
import es_flows from "./es/flows.json";
import es_flowRuns from "./es/flow-runs.json";
import ptBR_common from "./pt-BR/common.json";
import ptBR_shell from "./pt-BR/shell.json";
import ptBR_home from "./pt-BR/home.json";
import ptBR_system from "./pt-BR/system.json";
import ptBR_auth from "./pt-BR/auth.json";
import ptBR_account from "./pt-BR/account.json";
import ptBR_inbox from "./pt-BR/inbox.json";
import ptBR_outbox from "./pt-BR/outbox.json";
import ptBR_contacts from "./pt-BR/contacts.json";
import ptBR_rules from "./pt-BR/rules.json";
import ptBR_simulator from "./pt-BR/simulator.json";
import ptBR_profiles from "./pt-BR/profiles.json";
import ptBR_sessions from "./pt-BR/sessions.json";
import ptBR_analytics from "./pt-BR/analytics.json";
import ptBR_webhooks from "./pt-BR/webhooks.json";
import ptBR_api from "./pt-BR/api.json";
import ptBR_settings from "./pt-BR/settings.json";
import ptBR_users from "./pt-BR/users.json";
import ptBR_audit from "./pt-BR/audit.json";
import ptBR_errors from "./pt-BR/errors.json";
import ptBR_start from "./pt-BR/start.json";
import ptBR_domainA from "./pt-BR/domain-a.json";
import ptBR_domainB from "./pt-BR/domain-b.json";
import ptBR_media from "./pt-BR/media.json";
import ptBR_mediaLibrary from "./pt-BR/media-library.json";
import ptBR_domainC from "./pt-BR/domain-c.json";
import ptBR_domainD from "./pt-BR/domain-d.json";
import ptBR_domainE from "./pt-BR/domain-e.json";
import ptBR_domainF from "./pt-BR/domain-f.json";
import ptBR_domainG from "./pt-BR/domain-g.json";
import ptBR_domainH from "./pt-BR/domain-h.json";
import ptBR_domainI from "./pt-BR/domain-i.json";
import ptBR_domainJ from "./pt-BR/domain-j.json";
import ptBR_domainK from "./pt-BR/domain-k.json";
import ptBR_domainL from "./pt-BR/domain-l.json";
import ptBR_domainM from "./pt-BR/domain-m.json";
import ptBR_domainN from "./pt-BR/domain-n.json";
import ptBR_domainO from "./pt-BR/domain-o.json";
import ptBR_domainP from "./pt-BR/domain-p.json";
import ptBR_domainQ from "./pt-BR/domain-q.json";
import ptBR_domainR from "./pt-BR/domain-r.json";
import ptBR_domainS from "./pt-BR/domain-s.json";
import ptBR_domainT from "./pt-BR/domain-t.json";
import ptBR_domainU from "./pt-BR/domain-u.json";
import ptBR_domainV from "./pt-BR/domain-v.json";
import ptBR_domainW from "./pt-BR/domain-w.json";
import ptBR_domainX from "./pt-BR/domain-x.json";
import ptBR_domainY from "./pt-BR/domain-y.json";
import ptBR_domainZ from "./pt-BR/domain-z.json";
import ptBR_domainAa from "./pt-BR/domain-aa.json";
import ptBR_domainAb from "./pt-BR/domain-ab.json";
import ptBR_domainAc from "./pt-BR/domain-ac.json";
import ptBR_domainAd from "./pt-BR/domain-ad.json";
import ptBR_domainAe from "./pt-BR/domain-ae.json";
import ptBR_domainAf from "./pt-BR/domain-af.json";
import ptBR_domainAg from "./pt-BR/domain-ag.json";
import ptBR_domainAh from "./pt-BR/domain-ah.json";
import ptBR_domainAi from "./pt-BR/domain-ai.json";
import ptBR_domainAj from "./pt-BR/domain-aj.json";
import ptBR_domainAk from "./pt-BR/domain-ak.json";
import ptBR_domainAl from "./pt-BR/domain-al.json";
import ptBR_flows from "./pt-BR/flows.json";
import ptBR_flowRuns from "./pt-BR/flow-runs.json";
import type { TLocale } from "../locales";

/** The English catalogue: the source of every key, and the type of the others. */
export const en = {
  common: en_common,
  shell: en_shell,
  home: en_home,
  system: en_system,
  auth: en_auth,
  account: en_account,
  inbox: en_inbox,
  outbox: en_outbox,
  contacts: en_contacts,
  rules: en_rules,
  simulator: en_simulator,
  profiles: en_profiles,
  sessions: en_sessions,
  analytics: en_analytics,
  webhooks: en_webhooks,
  api: en_api,
  settings: en_settings,
  users: en_users,
  audit: en_audit,
  errors: en_errors,
  start: en_start,
  media: en_media,
  mediaLibrary: en_mediaLibrary,
  flows: en_flows,
  flowRuns: en_flowRuns,
  // What domain code says (server/i18n/domain.ts), by area; several files so several people can add at once (each adds its own top-level areas).
  domain: {
    ...en_domainA,
    ...en_domainB,
    ...en_domainC,
    ...en_domainD,
    ...en_domainE,
    ...en_domainF,
    ...en_domainG,
    ...en_domainH,
    ...en_domainI,
    ...en_domainJ,
    ...en_domainK,
    ...en_domainL,
    ...en_domainM,
    ...en_domainN,
    ...en_domainO,
    ...en_domainP,
    ...en_domainQ,
    ...en_domainR,
    ...en_domainS,
    ...en_domainT,
    ...en_domainU,
    ...en_domainV,
    ...en_domainW,
    ...en_domainX,
    ...en_domainY,
    ...en_domainZ,
    ...en_domainAa,
    ...en_domainAb,
    ...en_domainAc,
    ...en_domainAd,
    ...en_domainAe,
    ...en_domainAf,
    ...en_domainAg,
    ...en_domainAh,
    ...en_domainAi,
    ...en_domainAj,
    ...en_domainAk,
    ...en_domainAl,
  },
};
export type TMessages = typeof en;

const es: TMessages = {
  common: es_common,
  shell: es_shell,
  home: es_home,
  system: es_system,
  auth: es_auth,
  account: es_account,
  inbox: es_inbox,
  outbox: es_outbox,
  contacts: es_contacts,
  rules: es_rules,
  simulator: es_simulator,
  profiles: es_profiles,
  sessions: es_sessions,
  analytics: es_analytics,
  webhooks: es_webhooks,
  api: es_api,
  settings: es_settings,
  users: es_users,
  audit: es_audit,
  errors: es_errors,
  start: es_start,
  media: es_media,
  mediaLibrary: es_mediaLibrary,
  flows: es_flows,
  flowRuns: es_flowRuns,
  // What domain code says (server/i18n/domain.ts), by area; several files so several people can add at once (each adds its own top-level areas).
  domain: {
    ...es_domainA,
    ...es_domainB,
    ...es_domainC,
    ...es_domainD,
    ...es_domainE,
    ...es_domainF,
    ...es_domainG,
    ...es_domainH,
    ...es_domainI,
    ...es_domainJ,
    ...es_domainK,
    ...es_domainL,
    ...es_domainM,
    ...es_domainN,
    ...es_domainO,
    ...es_domainP,
    ...es_domainQ,
    ...es_domainR,
    ...es_domainS,
    ...es_domainT,
    ...es_domainU,
    ...es_domainV,
    ...es_domainW,
    ...es_domainX,
    ...es_domainY,
    ...es_domainZ,
    ...es_domainAa,
    ...es_domainAb,
    ...es_domainAc,
    ...es_domainAd,
    ...es_domainAe,
    ...es_domainAf,
    ...es_domainAg,
    ...es_domainAh,
    ...es_domainAi,
    ...es_domainAj,
    ...es_domainAk,
    ...es_domainAl,
  },
};
const ptBR: TMessages = {
  common: ptBR_common,
  shell: ptBR_shell,
  home: ptBR_home,
  system: ptBR_system,
  auth: ptBR_auth,
  account: ptBR_account,
  inbox: ptBR_inbox,
  outbox: ptBR_outbox,
  contacts: ptBR_contacts,
  rules: ptBR_rules,
  simulator: ptBR_simulator,
  profiles: ptBR_profiles,
  sessions: ptBR_sessions,
  analytics: ptBR_analytics,
  webhooks: ptBR_webhooks,
  api: ptBR_api,
  settings: ptBR_settings,
  users: ptBR_users,
  audit: ptBR_audit,
  errors: ptBR_errors,
  start: ptBR_start,
  media: ptBR_media,
  mediaLibrary: ptBR_mediaLibrary,
  flows: ptBR_flows,
  flowRuns: ptBR_flowRuns,
  // What domain code says (server/i18n/domain.ts), by area; several files so several people can add at once (each adds its own top-level areas).
  domain: {
    ...ptBR_domainA,
    ...ptBR_domainB,
    ...ptBR_domainC,
    ...ptBR_domainD,
    ...ptBR_domainE,
    ...ptBR_domainF,
    ...ptBR_domainG,
    ...ptBR_domainH,
    ...ptBR_domainI,
    ...ptBR_domainJ,
    ...ptBR_domainK,
    ...ptBR_domainL,
    ...ptBR_domainM,
    ...ptBR_domainN,
    ...ptBR_domainO,
    ...ptBR_domainP,
    ...ptBR_domainQ,
    ...ptBR_domainR,
    ...ptBR_domainS,
    ...ptBR_domainT,
    ...ptBR_domainU,
    ...ptBR_domainV,
    ...ptBR_domainW,
    ...ptBR_domainX,
    ...ptBR_domainY,
    ...ptBR_domainZ,
    ...ptBR_domainAa,
    ...ptBR_domainAb,
    ...ptBR_domainAc,
    ...ptBR_domainAd,
    ...ptBR_domainAe,
    ...ptBR_domainAf,
    ...ptBR_domainAg,
    ...ptBR_domainAh,
    ...ptBR_domainAi,
    ...ptBR_domainAj,
    ...ptBR_domainAk,
    ...ptBR_domainAl,
  },
};

export const MESSAGES: Record<TLocale, TMessages> = { en, es, "pt-BR": ptBR };
export const NAMESPACES = Object.keys(en) as (keyof TMessages)[];
