/**
 * The real dependencies of the subscription functions, built once per cold start and reused while warm: the API
 * (subscription-api) and the confirmation sender (send-confirmation), the only one of the two that sends mail. Each
 * bundle keeps only what its own function uses (package.json's `sideEffects: false` lets esbuild drop the rest): the
 * API loads neither MJML nor SES.
 */
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { loadMailTemplates } from '../adapters/mail-templates.ts';
import { readTokenKeyRing } from '../adapters/secret-key.ts';
import { createSesMailer } from '../adapters/ses-mailer.ts';
import { createSqsSubscribeRequests } from '../adapters/sqs-subscribe-requests.ts';
import { createJsonLogger } from '../app/logger.ts';
import { createSubscriptionDeps } from '../app/subscription-deps.ts';
import { type SubscriptionDeps, welcomeThroughQueue } from '../app/subscriptions.ts';
import { withThrottleRetries } from '../app/throttle-retries.ts';
import type { ApiDeps } from './create-subscription-handler.ts';
import type { SubscriptionApiEnvironment, SubscriptionEnvironment } from './environment.ts';

/** The API queues subscribe requests, and the welcome of an address that has just confirmed, for the sender. */
export const createApiDeps = async (environment: SubscriptionApiEnvironment): Promise<ApiDeps> => {
  const requests = createSqsSubscribeRequests({ queueUrl: environment.queueUrl });
  return {
    store: createDynamoSubscriberStore({ tableName: environment.tableName }),
    site: environment.site,
    tokenKey: await readTokenKeyRing(environment.tokenSecretArn),
    now: () => new Date(),
    log: createJsonLogger(),
    requests,
    sendWelcome: welcomeThroughQueue(requests),
  };
};

/**
 * The confirmation sender mails through SES. The bundle carries templates/mail/ as ./mail beside the handler (see
 * cdk/constructs/subscription-api.ts).
 */
export const createConfirmationDeps = async (environment: SubscriptionEnvironment): Promise<SubscriptionDeps> =>
  createSubscriptionDeps({
    store: createDynamoSubscriberStore({ tableName: environment.tableName }),
    // Throttling, which means "not sent", is tried again here a few times (about 3 s of back-off on average), then
    // goes back to the queue.
    mailer: withThrottleRetries(createSesMailer({ configurationSetName: environment.configurationSet }), {
      retries: 4,
      sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
    }),
    site: environment.site,
    tokenKey: await readTokenKeyRing(environment.tokenSecretArn),
    mailTemplates: await loadMailTemplates(new URL('./mail', import.meta.url).pathname),
    log: createJsonLogger(),
  });
