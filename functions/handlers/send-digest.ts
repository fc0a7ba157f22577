import { createSendHandler, type SendHandler } from './create-digest-handlers.ts';
import { createSenderDeps } from './deployed-digest-deps.ts';
import { readSenderEnvironment } from './environment.ts';

/** Lambda entry: recipient batches from the digest queue. */
export const handler: SendHandler = createSendHandler(await createSenderDeps(readSenderEnvironment()));
