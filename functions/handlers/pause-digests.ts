import { createDynamoSendingPause } from '../adapters/dynamo-sending-pause.ts';
import { createJsonLogger } from '../app/logger.ts';
import { createPauseHandler, type PauseHandler } from './create-pause-handler.ts';
import { readFeedbackEnvironment } from './environment.ts';

/** Lambda entry: CloudWatch alarm notifications of the SES reputation alarms, delivered by SNS. */
const environment = readFeedbackEnvironment();

export const handler: PauseHandler = createPauseHandler({
  pause: createDynamoSendingPause({ tableName: environment.tableName }),
  log: createJsonLogger(),
  now: () => new Date(),
});
