import { createPublishHandler, type PublishHandler } from './create-publish-handler.ts';
import { createPublishDeps } from './deployed-publish-deps.ts';
import { readPublisherEnvironment } from './environment.ts';

/** Lambda entry: S3 ObjectCreated/ObjectRemoved notifications for the posts prefix. */
const environment = readPublisherEnvironment();

export const handler: PublishHandler = createPublishHandler(
  await createPublishDeps(environment),
  environment.postsPrefix,
);
