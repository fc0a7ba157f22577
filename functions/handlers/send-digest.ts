import { createDynamoDigestStore } from '../adapters/dynamo-digest-store.ts';
import { createDynamoSendingPause } from '../adapters/dynamo-sending-pause.ts';
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
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

export const handler: SendHandler = createSendHandler({
  digests: createDynamoDigestStore({ tableName: environment.tableName, shards: subscribers.shards }),
  subscribers,
  // The adapter's client makes one attempt per message; the sender retries throttling itself.
  mailer: createSesMailer({ configurationSetName: environment.configurationSet }),
  quota: createSesSendQuota(),
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
