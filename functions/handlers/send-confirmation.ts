import { SESClient } from '@aws-sdk/client-ses';
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { loadMailTemplates } from '../adapters/mail-templates.ts';
import { readSecretKey } from '../adapters/secret-key.ts';
import { createSesMailer } from '../adapters/ses-mailer.ts';
import { createJsonLogger } from '../app/logger.ts';
import { createSubscriptionDeps } from '../app/subscription-deps.ts';
import { type ConfirmationHandler, createConfirmationHandler } from './create-confirmation-handler.ts';
import { readSubscriptionEnvironment } from './environment.ts';

/**
 * Lambda entry: subscribe requests from the API's queue, each decided against the list and, when it calls for one,
 * answered with a confirmation mail. The bundle carries templates/mail/ as ./mail beside the handler (see
 * cdk/constructs/subscription-api.ts).
 */
const environment = readSubscriptionEnvironment();

// One attempt per SendRawEmail: a retry after a lost answer could send twice; throttling goes back to the queue.
const ses = new SESClient({ maxAttempts: 1, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } });

export const handler: ConfirmationHandler = createConfirmationHandler(
  await createSubscriptionDeps({
    store: createDynamoSubscriberStore({ tableName: environment.tableName }),
    mailer: createSesMailer({ client: ses, configurationSetName: environment.configurationSet }),
    site: environment.site,
    tokenKey: await readSecretKey(environment.tokenSecretArn),
    mailTemplates: await loadMailTemplates(new URL('./mail', import.meta.url).pathname),
    log: createJsonLogger(),
  }),
);
