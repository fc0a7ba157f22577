import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { loadMailTemplates } from '../adapters/mail-templates.ts';
import { readSecretKey } from '../adapters/secret-key.ts';
import { createSesMailer } from '../adapters/ses-mailer.ts';
import { createJsonLogger } from '../app/logger.ts';
import { createSubscriptionDeps } from '../app/subscription-deps.ts';
import { createSubscriptionHandler, type SubscriptionHandler } from './create-subscription-handler.ts';
import { readSubscriptionEnvironment } from './environment.ts';

/**
 * Lambda entry: the subscription API (`/api/subscribe`, `/api/confirm`, `/api/unsubscribe`) behind CloudFront.
 * The bundle carries templates/mail/ as ./mail beside the handler (see cdk/constructs/subscription-api.ts).
 */
const environment = readSubscriptionEnvironment();

export const handler: SubscriptionHandler = createSubscriptionHandler(
  await createSubscriptionDeps({
    store: createDynamoSubscriberStore({ tableName: environment.tableName }),
    mailer: createSesMailer({ configurationSetName: environment.configurationSet }),
    site: environment.site,
    tokenKey: await readSecretKey(environment.tokenSecretArn),
    mailTemplates: await loadMailTemplates(new URL('./mail', import.meta.url).pathname),
    log: createJsonLogger(),
  }),
);
