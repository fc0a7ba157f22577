import { createFeedbackHandler, type FeedbackHandler } from './create-feedback-handler.ts';
import { createFeedbackDeps } from './deployed-feedback-deps.ts';
import { readFeedbackEnvironment } from './environment.ts';

/** Lambda entry: SES bounce and complaint events, delivered by SNS from the configuration set. */
export const handler: FeedbackHandler = createFeedbackHandler(createFeedbackDeps(readFeedbackEnvironment()));
