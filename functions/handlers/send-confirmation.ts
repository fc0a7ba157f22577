import { type ConfirmationHandler, createConfirmationHandler } from './create-confirmation-handler.ts';
import { createConfirmationDeps } from './deployed-subscription-deps.ts';
import { readSubscriptionEnvironment } from './environment.ts';

/**
 * Lambda entry: subscribe requests from the API's queue, each decided against the list and, when it calls for one,
 * answered with a confirmation mail; and welcome requests, answered with the welcome mail.
 */
export const handler: ConfirmationHandler = createConfirmationHandler(
  await createConfirmationDeps(readSubscriptionEnvironment()),
);
