import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { loadMailTemplates } from '../adapters/mail-templates.ts';
import { readSecretKey } from '../adapters/secret-key.ts';
import { createSesMailer } from '../adapters/ses-mailer.ts';
import { createJsonLogger } from '../app/logger.ts';
import { createSubscriptionDeps } from '../app/subscription-deps.ts';
import { withThrottleRetries } from '../app/throttle-retries.ts';
import { type ConfirmationHandler, createConfirmationHandler } from './create-confirmation-handler.ts';
import { readSubscriptionEnvironment } from './environment.ts';

/**
 * Lambda entry: subscribe requests from the API's queue, each decided against the list and, when it calls for one,
 * answered with a confirmation mail. The bundle carries templates/mail/ as ./mail beside the handler (see
 * cdk/constructs/subscription-api.ts).
 */
const environment = readSubscriptionEnvironment();

// The adapter's client makes one attempt per message. Throttling, which means "not sent", is tried again here a few
// times (about 3 s of back-off on average), then goes back to the queue.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const handler: ConfirmationHandler = createConfirmationHandler(
  await createSubscriptionDeps({
    store: createDynamoSubscriberStore({ tableName: environment.tableName }),
    mailer: withThrottleRetries(createSesMailer({ configurationSetName: environment.configurationSet }), {
      retries: 4,
      sleep,
      random: Math.random,
    }),
    site: environment.site,
    tokenKey: await readSecretKey(environment.tokenSecretArn),
    mailTemplates: await loadMailTemplates(new URL('./mail', import.meta.url).pathname),
    log: createJsonLogger(),
  }),
);
