import { createPauseHandler, type PauseHandler } from './create-pause-handler.ts';
import { createPauseDeps } from './deployed-digest-deps.ts';
import { readFeedbackEnvironment } from './environment.ts';

/** Lambda entry: CloudWatch alarm notifications of the SES reputation alarms, delivered by SNS. */
export const handler: PauseHandler = createPauseHandler(createPauseDeps(readFeedbackEnvironment()));
