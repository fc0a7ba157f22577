import type { SQSEvent } from 'aws-lambda';
import type { SubscribeRequests } from '../app/ports.ts';
import type { SubscriptionDeps } from '../app/subscriptions.ts';
import { createConfirmationHandler } from '../handlers/create-confirmation-handler.ts';

/**
 * The confirmation queue of the local run, held in no queue at all: each request the API submits is handed at once
 * to the confirmation sender's handler, in the SQS event shape it gets when deployed, and the API answers after it.
 * So the mail is in the outbox by the time the "check your inbox" page shows. (Deployed, the two are apart, which
 * is the point: see functions/handlers/create-subscription-handler.ts.)
 */
export const createLocalSubscribeRequests = (deps: SubscriptionDeps): SubscribeRequests => {
  const confirm = createConfirmationHandler(deps);
  return {
    submit: async (request) => {
      const event = { Records: [{ messageId: crypto.randomUUID(), body: JSON.stringify(request) }] } as SQSEvent;
      const { batchItemFailures } = await confirm(event);
      if (batchItemFailures.length > 0) deps.log.warn('local confirmation not sent; subscribe again to retry');
    },
  };
};
