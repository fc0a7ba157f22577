import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { createJsonLogger } from '../app/logger.ts';
import { DEFAULT_POLICY } from '../core/subscribers/subscriber.ts';
import { createFeedbackHandler, type FeedbackHandler } from './create-feedback-handler.ts';
import { readFeedbackEnvironment } from './environment.ts';

/** Lambda entry: SES bounce and complaint events, delivered by SNS from the configuration set. */
const environment = readFeedbackEnvironment();

export const handler: FeedbackHandler = createFeedbackHandler({
  store: createDynamoSubscriberStore({ tableName: environment.tableName }),
  policy: DEFAULT_POLICY,
  log: createJsonLogger(),
  now: () => new Date(),
});
