import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { createDynamoMailQueue } from '../adapters/dynamo-mail-queue.ts';
import { createDynamoPostIndex } from '../adapters/dynamo-post-index.ts';
import { openStateTable } from '../adapters/dynamo-table.ts';
import { createS3ContentStore } from '../adapters/s3-content-store.ts';
import { loadSiteTemplates } from '../adapters/site-templates.ts';
import { createJsonLogger } from '../app/logger.ts';
import type { PublishDueDeps } from '../app/publish.ts';
import type { PublisherEnvironment } from './environment.ts';

/**
 * What a deployed function makes for itself and a test hands in: the SDK clients (stand-ins' in tests) and the
 * folder of the theme's static files.
 */
export interface PublishDepsSources {
  dynamo?: DynamoDBClient;
  s3?: S3Client;
  siteTemplates?: string;
}

/**
 * The real dependencies of the publishing functions (publish-post, publish-due), built once per cold start and
 * reused while warm. The bundle carries templates/site/ as ./site beside the handler (see
 * cdk/constructs/publish-function.ts).
 */
export const createPublishDeps = async (
  environment: PublisherEnvironment,
  sources: PublishDepsSources = {},
): Promise<Omit<PublishDueDeps, 'owner'>> => {
  const table = openStateTable({
    tableName: environment.tableName,
    ...(sources.dynamo ? { client: sources.dynamo } : {}),
  });
  return {
    content: createS3ContentStore({
      bucket: environment.bucket,
      postsPrefix: environment.postsPrefix,
      sitePrefix: environment.sitePrefix,
      ...(sources.s3 ? { client: sources.s3 } : {}),
    }),
    ...createDynamoPostIndex(table),
    // Published posts wait here for the next digest (see functions/app/plan-digest.ts).
    mailQueue: createDynamoMailQueue(table),
    site: environment.site,
    now: () => new Date(),
    log: createJsonLogger(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    staticFiles: await loadSiteTemplates(sources.siteTemplates ?? new URL('./site', import.meta.url).pathname),
  };
};
