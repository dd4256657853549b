import { accountRouter } from "./routers/account";
import { aiToolsRouter } from "./routers/ai-tools";
import { campaignsRouter } from "./routers/campaigns";
import { analyticsRouter } from "./routers/analytics";
import { apiKeysRouter } from "./routers/api-keys";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { contactFieldsRouter } from "./routers/contact-fields";
import { contactsRouter } from "./routers/contacts";
import { dataRightsRouter } from "./routers/data-rights";
import { evaluationRouter } from "./routers/evaluation";
import { flowRunsRouter } from "./routers/flow-runs";
import { inboxRouter } from "./routers/inbox";
import { mediaRouter } from "./routers/media";
import { outboxRouter } from "./routers/outbox";
import { knowledgeRouter } from "./routers/knowledge";
import { profilesRouter } from "./routers/profiles";
import { flowsRouter } from "./routers/flows";
import { rulesRouter } from "./routers/rules";
import { sessionsRouter } from "./routers/sessions";
import { settingsRouter } from "./routers/settings";
import { configTransferRouter } from "./routers/config-transfer";
import { scheduledRouter } from "./routers/scheduled";
import { simulatorRouter } from "./routers/simulator";
import { teamsRouter } from "./routers/teams";
import { usersRouter } from "./routers/users";
import { webhooksRouter } from "./routers/webhooks";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  account: accountRouter,
  users: usersRouter,
  audit: auditRouter,
  settings: settingsRouter,
  configTransfer: configTransferRouter,
  simulator: simulatorRouter,
  outbox: outboxRouter,
  rules: rulesRouter,
  flows: flowsRouter,
  profiles: profilesRouter,
  evaluation: evaluationRouter,
  knowledge: knowledgeRouter,
  contacts: contactsRouter,
  contactFields: contactFieldsRouter,
  inbox: inboxRouter,
  teams: teamsRouter,
  webhooks: webhooksRouter,
  apiKeys: apiKeysRouter,
  sessions: sessionsRouter,
  analytics: analyticsRouter,
  media: mediaRouter,
  flowRuns: flowRunsRouter,
  aiTools: aiToolsRouter,
  campaigns: campaignsRouter,
  scheduled: scheduledRouter,
  dataRights: dataRightsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
