/**
 * The real dependencies of the digest functions, built once per cold start and reused while warm: the planner
 * (plan-digest), the sender (send-digest) and the reputation pause (pause-digests). Each bundle keeps only what its
 * own function uses (package.json's `sideEffects: false` lets esbuild drop the rest): the sender never loads MJML.
 */
import { createDynamoDeliveries } from '../adapters/dynamo-deliveries.ts';
import { createDynamoDigestLedger } from '../adapters/dynamo-digest-ledger.ts';
import { createDynamoMailQueue } from '../adapters/dynamo-mail-queue.ts';
import { createDynamoSendingPause } from '../adapters/dynamo-sending-pause.ts';
import { createDynamoSourceIndex } from '../adapters/dynamo-source-index.ts';
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { openStateTable } from '../adapters/dynamo-table.ts';
import { loadMailTemplates } from '../adapters/mail-templates.ts';
import { readTokenKeyRing } from '../adapters/secret-key.ts';
import { createSesMailer } from '../adapters/ses-mailer.ts';
import { createSesSendQuota } from '../adapters/ses-send-quota.ts';
import { createSqsRecipientQueue } from '../adapters/sqs-recipient-queue.ts';
import { createJsonLogger } from '../app/logger.ts';
import type { PlannerDeps } from '../app/plan-digest.ts';
import type { SenderDeps } from '../app/send-digest.ts';
import { compileDigestMail } from '../core/mail/digest-mail.ts';
import { buildDigestMessage } from '../core/mail/digest-message.ts';
import type { PauseDeps } from './create-pause-handler.ts';
import type { FeedbackEnvironment, PlannerEnvironment, SenderEnvironment } from './environment.ts';

/** The subscriber list, the digest ledger, and the pause switch, all on the state table. */
const digestTables = (tableName: string) => ({
  table: openStateTable({ tableName }),
  subscribers: createDynamoSubscriberStore({ tableName }),
  pause: createDynamoSendingPause({ tableName }),
});

/** The bundle carries templates/mail/ as ./mail beside the handler (see cdk/constructs/digest-sender.ts). */
export const createPlannerDeps = async (environment: PlannerEnvironment): Promise<PlannerDeps> => {
  const mailTemplates = await loadMailTemplates(new URL('./mail', import.meta.url).pathname);
  const { table, subscribers, pause } = digestTables(environment.tableName);
  return {
    subscribers,
    pause,
    mailQueue: createDynamoMailQueue(table),
    ledger: createDynamoDigestLedger(table),
    sources: createDynamoSourceIndex(table),
    queue: createSqsRecipientQueue({ queueUrl: environment.queueUrl }),
    site: environment.site,
    compile: (content) => compileDigestMail({ files: mailTemplates, site: environment.site, content, now: new Date() }),
    now: () => new Date(),
    log: createJsonLogger(),
  };
};

/** No MJML here: the digest was compiled once by the planner and is only personalised per recipient. */
export const createSenderDeps = async (environment: SenderEnvironment): Promise<Omit<SenderDeps, 'owner'>> => {
  const { table, subscribers, pause } = digestTables(environment.tableName);
  return {
    subscribers,
    pause,
    ledger: createDynamoDigestLedger(table),
    deliveries: createDynamoDeliveries(table, { shards: subscribers.shards }),
    // The adapter's client makes one attempt per message; the sender retries throttling itself (see send-digest.ts).
    mailer: createSesMailer({ configurationSetName: environment.configurationSet }),
    quota: createSesSendQuota(),
    concurrency: environment.concurrency,
    site: environment.site,
    // The digest only seals (unsubscribe links), always with the newest key.
    tokenKey: (await readTokenKeyRing(environment.tokenSecretArn)).current,
    compose: (compiled, to, unsubscribeUrl, now) =>
      buildDigestMessage({ site: environment.site, compiled, to, unsubscribeUrl, now }),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log: createJsonLogger(),
  };
};

export const createPauseDeps = (environment: FeedbackEnvironment): PauseDeps => ({
  pause: createDynamoSendingPause({ tableName: environment.tableName }),
  log: createJsonLogger(),
  now: () => new Date(),
});
