import { createSubscriptionHandler, type SubscriptionHandler } from './create-subscription-handler.ts';
import { createApiDeps } from './deployed-subscription-deps.ts';
import { readSubscriptionApiEnvironment } from './environment.ts';

/**
 * Lambda entry: the subscription API (`/api/subscribe`, `/api/confirm`, `/api/unsubscribe`) behind CloudFront.
 * It sends no mail: subscribe requests, and the welcome of an address that has just confirmed, go on a queue for the
 * confirmation sender (functions/handlers/send-confirmation.ts), which skips the welcome when the site turned it off.
 */
export const handler: SubscriptionHandler = createSubscriptionHandler(
  await createApiDeps(readSubscriptionApiEnvironment()),
);
