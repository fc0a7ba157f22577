import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { readSecretKey } from '../adapters/secret-key.ts';
import { createSqsSubscribeRequests } from '../adapters/sqs-subscribe-requests.ts';
import { createJsonLogger } from '../app/logger.ts';
import { welcomeThroughQueue } from '../app/subscriptions.ts';
import { createSubscriptionHandler, type SubscriptionHandler } from './create-subscription-handler.ts';
import { readSubscriptionApiEnvironment } from './environment.ts';

/**
 * Lambda entry: the subscription API (`/api/subscribe`, `/api/confirm`, `/api/unsubscribe`) behind CloudFront.
 * It sends no mail: subscribe requests, and the welcome of an address that has just confirmed, go on a queue for the
 * confirmation sender (functions/handlers/send-confirmation.ts), which skips the welcome when the site turned it off.
 */
const environment = readSubscriptionApiEnvironment();
const requests = createSqsSubscribeRequests({ queueUrl: environment.queueUrl });

export const handler: SubscriptionHandler = createSubscriptionHandler({
  store: createDynamoSubscriberStore({ tableName: environment.tableName }),
  site: environment.site,
  tokenKey: await readSecretKey(environment.tokenSecretArn),
  now: () => new Date(),
  log: createJsonLogger(),
  requests,
  sendWelcome: welcomeThroughQueue(requests),
});
