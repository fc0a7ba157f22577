import { SESClient } from '@aws-sdk/client-ses';
import { createDynamoDeliveries } from '../adapters/dynamo-deliveries.ts';
import { createDynamoDigestLedger } from '../adapters/dynamo-digest-ledger.ts';
import { createDynamoSendingPause } from '../adapters/dynamo-sending-pause.ts';
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { openStateTable } from '../adapters/dynamo-table.ts';
import { readSecretKey } from '../adapters/secret-key.ts';
import { createSesMailer } from '../adapters/ses-mailer.ts';
import { createSesSendQuota } from '../adapters/ses-send-quota.ts';
import { createJsonLogger } from '../app/logger.ts';
import { buildDigestMessage } from '../core/mail/digest-message.ts';
import { createSendHandler, type SendHandler } from './create-digest-handlers.ts';
import { readSenderEnvironment } from './environment.ts';

/**
 * Lambda entry: recipient batches from the digest queue. No MJML here: the digest was compiled once by the
 * planner and is only personalised per recipient.
 */
const environment = readSenderEnvironment();
const subscribers = createDynamoSubscriberStore({ tableName: environment.tableName });
const table = openStateTable({ tableName: environment.tableName });
// No SDK retries for SendRawEmail: a retry after a lost answer could send twice. The sender retries throttling
// itself, where it knows the message was not accepted.
// A bounded wait, too: a call still open at the Lambda timeout would leave its recipient uncertain.
const ses = new SESClient({ maxAttempts: 1, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } });

export const handler: SendHandler = createSendHandler({
  ledger: createDynamoDigestLedger(table),
  deliveries: createDynamoDeliveries(table, { shards: subscribers.shards }),
  subscribers,
  mailer: createSesMailer({ client: ses, configurationSetName: environment.configurationSet }),
  quota: createSesSendQuota(new SESClient({})),
  pause: createDynamoSendingPause({ tableName: environment.tableName }),
  concurrency: environment.concurrency,
  site: environment.site,
  tokenKey: await readSecretKey(environment.tokenSecretArn),
  compose: (compiled, to, unsubscribeUrl, now) =>
    buildDigestMessage({ site: environment.site, compiled, to, unsubscribeUrl, now }),
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  log: createJsonLogger(),
});
