import { createDynamoDigestLedger } from '../adapters/dynamo-digest-ledger.ts';
import { createDynamoMailQueue } from '../adapters/dynamo-mail-queue.ts';
import { createDynamoSendingPause } from '../adapters/dynamo-sending-pause.ts';
import { createDynamoSourceIndex } from '../adapters/dynamo-source-index.ts';
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { openStateTable } from '../adapters/dynamo-table.ts';
import { loadMailTemplates } from '../adapters/mail-templates.ts';
import { createSqsRecipientQueue } from '../adapters/sqs-recipient-queue.ts';
import { createJsonLogger } from '../app/logger.ts';
import { compileDigestMail } from '../core/mail/digest-mail.ts';
import { createPlanHandler, type PlanHandler } from './create-digest-handlers.ts';
import { readPlannerEnvironment } from './environment.ts';

/**
 * Lambda entry: EventBridge Scheduler's trigger for the digest cadence. The bundle carries templates/mail/ as
 * ./mail beside the handler (see cdk/constructs/digest-sender.ts).
 */
const environment = readPlannerEnvironment();
const subscribers = createDynamoSubscriberStore({ tableName: environment.tableName });
const table = openStateTable({ tableName: environment.tableName });
const mailTemplates = await loadMailTemplates(new URL('./mail', import.meta.url).pathname);

export const handler: PlanHandler = createPlanHandler({
  mailQueue: createDynamoMailQueue(table),
  ledger: createDynamoDigestLedger(table),
  sources: createDynamoSourceIndex(table),
  subscribers,
  queue: createSqsRecipientQueue({ queueUrl: environment.queueUrl }),
  pause: createDynamoSendingPause({ tableName: environment.tableName }),
  site: environment.site,
  compile: (content) => compileDigestMail({ files: mailTemplates, site: environment.site, content, now: new Date() }),
  now: () => new Date(),
  log: createJsonLogger(),
});
