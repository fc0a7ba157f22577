import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { createJsonLogger } from '../app/logger.ts';
import { DEFAULT_POLICY } from '../core/subscribers/subscriber.ts';
import type { FeedbackDeps } from './create-feedback-handler.ts';
import type { FeedbackEnvironment } from './environment.ts';

/** The real dependencies of the SES feedback function (ses-feedback), built once per cold start. */
export const createFeedbackDeps = (environment: FeedbackEnvironment): FeedbackDeps => ({
  store: createDynamoSubscriberStore({ tableName: environment.tableName }),
  policy: DEFAULT_POLICY,
  log: createJsonLogger(),
  now: () => new Date(),
});
