import type { S3Event } from 'aws-lambda';
import { createDynamoPostIndex } from '../adapters/dynamo-post-index.ts';
import { openStateTable } from '../adapters/dynamo-table.ts';
import { createS3ContentStore } from '../adapters/s3-content-store.ts';
import { type Logger, silentLogger } from '../app/logger.ts';
import type { MailQueue } from '../app/ports.ts';
import type { PublishResult } from '../app/publish.ts';
import type { PublicFile, SiteConfig } from '../core/types.ts';
import { createPublishHandler } from '../handlers/create-publish-handler.ts';
import type { StandIns } from './stand-ins.ts';

export interface LocalPublisher {
  /** Resolves when every event emitted so far (and any retry) has been handled. */
  idle(): Promise<void>;
  results: PublishResult[];
  /** Invocations that failed even after Lambda's two retries. */
  failures: { event: S3Event; error: unknown }[];
}

export const POSTS_PREFIX = 'posts/';
export const SITE_PREFIX = 'site/';

/**
 * The deployed wiring, locally: every object event the bucket emits invokes the same handler the Lambda runs,
 * asynchronously and concurrently, with up to two retries on failure as Lambda's async invocation does.
 */
export const startLocalPublisher = (
  standIns: StandIns,
  site: SiteConfig,
  options: { staticFiles?: PublicFile[]; log?: Logger; mailQueue?: MailQueue } = {},
): LocalPublisher => {
  const table = openStateTable({ tableName: standIns.tableName, client: standIns.dynamo });
  const handler = createPublishHandler(
    {
      content: createS3ContentStore({
        bucket: standIns.bucket,
        client: standIns.s3,
        postsPrefix: POSTS_PREFIX,
        sitePrefix: SITE_PREFIX,
      }),
      ...createDynamoPostIndex(table),
      site,
      now: () => new Date(),
      log: options.log ?? silentLogger,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...(options.staticFiles ? { staticFiles: options.staticFiles } : {}),
      ...(options.mailQueue ? { mailQueue: options.mailQueue } : {}),
    },
    POSTS_PREFIX,
  );
  const pending = new Set<Promise<void>>();
  const results: PublishResult[] = [];
  const failures: { event: S3Event; error: unknown }[] = [];

  const invoke = async (event: S3Event): Promise<void> => {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        results.push(...(await handler(event, { awsRequestId: crypto.randomUUID() })));
        return;
      } catch (error) {
        lastError = error;
      }
    }
    failures.push({ event, error: lastError });
  };

  standIns.onObjectEvent((event) => {
    // s3rver does not filter notifications by prefix; the deployed bucket only sends posts/ events.
    if (!event.Records.some((record) => record.s3.object.key.startsWith(POSTS_PREFIX))) return;
    const run = invoke(event).finally(() => pending.delete(run));
    pending.add(run);
  });

  return {
    results,
    failures,
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
};
