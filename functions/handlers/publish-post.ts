import { createDynamoPostIndex } from '../adapters/dynamo-post-index.ts';
import { createS3ContentStore } from '../adapters/s3-content-store.ts';
import { loadSiteTemplates } from '../adapters/site-templates.ts';
import { createJsonLogger } from '../app/logger.ts';
import { createPublishHandler, type PublishHandler } from './create-publish-handler.ts';
import { readPublisherEnvironment } from './environment.ts';

/** Lambda entry: S3 notifications for the posts prefix. Clients are built once and reused while warm. */
const environment = readPublisherEnvironment();
// The bundle carries templates/site/ as ./site beside the handler (see cdk/constructs).
const staticFiles = await loadSiteTemplates(new URL('./site', import.meta.url).pathname);

export const handler: PublishHandler = createPublishHandler(
  {
    content: createS3ContentStore({
      bucket: environment.bucket,
      postsPrefix: environment.postsPrefix,
      sitePrefix: environment.sitePrefix,
    }),
    index: createDynamoPostIndex({ tableName: environment.tableName }),
    site: environment.site,
    now: () => new Date(),
    log: createJsonLogger(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    staticFiles,
  },
  environment.postsPrefix,
);
