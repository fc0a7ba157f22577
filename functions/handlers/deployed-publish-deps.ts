import { createDynamoDigestStore } from '../adapters/dynamo-digest-store.ts';
import { createDynamoPostIndex } from '../adapters/dynamo-post-index.ts';
import { SHARD_NAMES as SHARDS } from '../adapters/dynamo-subscriber-store.ts';
import { createS3ContentStore } from '../adapters/s3-content-store.ts';
import { loadSiteTemplates } from '../adapters/site-templates.ts';
import { createJsonLogger } from '../app/logger.ts';
import type { PublishDeps } from '../app/publish.ts';
import type { PublisherEnvironment } from './environment.ts';

/**
 * The real dependencies of the publishing functions (publish-post, publish-due), built once per cold start and
 * reused while warm. The bundle carries templates/site/ as ./site beside the handler (see
 * cdk/constructs/publish-function.ts).
 */
export const createPublishDeps = async (environment: PublisherEnvironment): Promise<Omit<PublishDeps, 'owner'>> => ({
  content: createS3ContentStore({
    bucket: environment.bucket,
    postsPrefix: environment.postsPrefix,
    sitePrefix: environment.sitePrefix,
  }),
  index: createDynamoPostIndex({ tableName: environment.tableName }),
  // Published posts wait here for the next digest (see functions/app/plan-digest.ts).
  mailQueue: createDynamoDigestStore({ tableName: environment.tableName, shards: SHARDS }),
  site: environment.site,
  now: () => new Date(),
  log: createJsonLogger(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  staticFiles: await loadSiteTemplates(new URL('./site', import.meta.url).pathname),
});
