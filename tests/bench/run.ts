/**
 * `npm run bench -- <name>`: runs one benchmark (or all with no name). Each figure is one JSON
 * line on standard output, `{"bench":"…","metric":"…","value":N}`; logs go to standard error.
 */
import { runAnalyticsBench } from "./analytics";
import { runCampaignsBench } from "./campaigns";
import { runContactsBench } from "./contacts";
import { runFlowsBench } from "./flows";
import { runInboxBench } from "./inbox";
import { runKnowledgeBench } from "./knowledge";
import { runMediaBench } from "./media";
import { runPipelineBench } from "./pipeline";
import { runRulesBench } from "./rules";
import { runWebhooksBench } from "./webhooks";

const BENCHES: Record<string, () => Promise<void>> = {
  pipeline: runPipelineBench,
  rules: runRulesBench,
  contacts: runContactsBench,
  webhooks: runWebhooksBench,
  analytics: runAnalyticsBench,
  media: runMediaBench,
  flows: runFlowsBench,
  inbox: runInboxBench,
  knowledge: runKnowledgeBench,
  campaigns: runCampaignsBench,
};

const requested = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
const names = requested.length > 0 ? requested : Object.keys(BENCHES);
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(", ")}\n`);
    process.exit(2);
  }
  await bench();
}
process.exit(0);
