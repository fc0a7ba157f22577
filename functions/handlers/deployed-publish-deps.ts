import { createDynamoDirtyMarks } from '../adapters/dynamo-dirty-marks.ts';
import { createDynamoDueEntries } from '../adapters/dynamo-due-entries.ts';
import { createDynamoMailQueue } from '../adapters/dynamo-mail-queue.ts';
import { createDynamoNameClaims } from '../adapters/dynamo-name-claims.ts';
import { createDynamoPostArchive } from '../adapters/dynamo-post-archive.ts';
import { createDynamoRenderLock } from '../adapters/dynamo-render-lock.ts';
import { createDynamoSourceIndex } from '../adapters/dynamo-source-index.ts';
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
    sources: createDynamoSourceIndex(table),
    claims: createDynamoNameClaims(table),
    dirtyMarks: createDynamoDirtyMarks(table),
    renderLock: createDynamoRenderLock(table),
    archive: createDynamoPostArchive(table),
    dueEntries: createDynamoDueEntries(table),
    // Published posts wait here for the next digest (see functions/app/plan-digest.ts).
    mailQueue: createDynamoMailQueue(table),
    site: environment.site,
    now: () => new Date(),
    log: createJsonLogger(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    staticFiles: await loadSiteTemplates(new URL('./site', import.meta.url).pathname),
  };
};
