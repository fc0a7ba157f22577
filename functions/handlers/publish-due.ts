import { createDynamoPostIndex } from '../adapters/dynamo-post-index.ts';
import { createS3ContentStore } from '../adapters/s3-content-store.ts';
import { loadSiteTemplates } from '../adapters/site-templates.ts';
import { createJsonLogger } from '../app/logger.ts';
import { publishDue } from '../app/publish.ts';
import { readPublisherEnvironment } from './environment.ts';

/**
 * Lambda entry on a schedule (every few minutes): publishes posts whose publishDate has come and withdraws posts
 * past their expiryDate. Idempotent, so overlapping or repeated runs are harmless.
 */
const environment = readPublisherEnvironment();
const log = createJsonLogger();
// The bundle carries templates/site/ as ./site beside the handler (see cdk/constructs).
const staticFiles = await loadSiteTemplates(new URL('./site', import.meta.url).pathname);

export const handler = async (_event: unknown, context?: { awsRequestId?: string }) => {
  const results = await publishDue({
    content: createS3ContentStore({
      bucket: environment.bucket,
      postsPrefix: environment.postsPrefix,
      sitePrefix: environment.sitePrefix,
    }),
    index: createDynamoPostIndex({ tableName: environment.tableName }),
    site: environment.site,
    now: () => new Date(),
    log,
    owner: `due:${context?.awsRequestId ?? crypto.randomUUID()}`,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    staticFiles,
  });
  for (const result of results) log.info('due post reconciled', { ...result });
  return results;
};
