import { createDynamoMailQueue } from '../adapters/dynamo-mail-queue.ts';
import { createDynamoPostIndex } from '../adapters/dynamo-post-index.ts';
import { openStateTable } from '../adapters/dynamo-table.ts';
import { createS3ContentStore } from '../adapters/s3-content-store.ts';
import { loadSiteTemplates } from '../adapters/site-templates.ts';
import { createJsonLogger } from '../app/logger.ts';
import type { PublishDueDeps } from '../app/publish.ts';
import type { PublisherEnvironment } from './environment.ts';

/**
 * The real dependencies of the publishing functions (publish-post, publish-due), built once per cold start and
 * reused while warm. The bundle carries templates/site/ as ./site beside the handler (see
 * cdk/constructs/publish-function.ts).
 */
export const createPublishDeps = async (environment: PublisherEnvironment): Promise<Omit<PublishDueDeps, 'owner'>> => {
  const table = openStateTable({ tableName: environment.tableName });
  return {
    content: createS3ContentStore({
      bucket: environment.bucket,
      postsPrefix: environment.postsPrefix,
      sitePrefix: environment.sitePrefix,
    }),
    ...createDynamoPostIndex(table),
    // Published posts wait here for the next digest (see functions/app/plan-digest.ts).
    mailQueue: createDynamoMailQueue(table),
    site: environment.site,
    now: () => new Date(),
    log: createJsonLogger(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    staticFiles: await loadSiteTemplates(new URL('./site', import.meta.url).pathname),
  };
};
