import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createDynamoDirtyMarks } from '../functions/adapters/dynamo-dirty-marks.ts';
import { createDynamoMailQueue } from '../functions/adapters/dynamo-mail-queue.ts';
import { createDynamoNameClaims } from '../functions/adapters/dynamo-name-claims.ts';
import { createDynamoPostArchive } from '../functions/adapters/dynamo-post-archive.ts';
import { createDynamoRenderLock } from '../functions/adapters/dynamo-render-lock.ts';
import { createDynamoSourceIndex } from '../functions/adapters/dynamo-source-index.ts';
import { openStateTable } from '../functions/adapters/dynamo-table.ts';
import { createS3ContentStore } from '../functions/adapters/s3-content-store.ts';
import { silentLogger } from '../functions/app/logger.ts';
import type { SourceRecord } from '../functions/app/ports.ts';
import { monthOf } from '../functions/core/paths.ts';
import { buildBatch } from '../functions/core/posts/build-batch.ts';
import { compareEntries, toArchiveEntry } from '../functions/core/site/archive-entries.ts';
import type { ArchiveEntry, SiteConfig } from '../functions/core/types.ts';
import { createPublishHandler } from '../functions/handlers/create-publish-handler.ts';
import { startStandIns } from '../functions/local/stand-ins.ts';
import { s3Event } from '../tests/support/events.ts';
import { syntheticPost } from './corpus.ts';

export interface PublishMeasurement {
  /** Median wall time of one incremental publish (handler call), in ms. */
  ms: number;
  /** S3 + DynamoDB requests made by one incremental publish. */
  requests: number;
  s3Requests: number;
  dynamoRequests: number;
}

/**
 * Seeds the index with `existing` published posts (straight into the table, as earlier publishes would have left
 * it), then publishes new posts one at a time through the real handler, counting every request it makes.
 */
export const measureIncrementalPublish = async (
  site: SiteConfig,
  existing: number,
  runs = 5,
): Promise<PublishMeasurement> => {
  const standIns = await startStandIns();
  try {
    const counts = { s3: 0, dynamo: 0 };
    const table = openStateTable({ tableName: standIns.tableName, client: standIns.dynamo });
    const sources = createDynamoSourceIndex(table);
    const claims = createDynamoNameClaims(table);
    const archive = createDynamoPostArchive(table);
    const content = createS3ContentStore({ bucket: standIns.bucket, client: standIns.s3 });

    const files = Array.from({ length: existing }, (_, i) => {
      const post = syntheticPost(i);
      return { sourcePath: post.path, bytes: new TextEncoder().encode(post.text) };
    });
    const seeded = buildBatch(files, site, new Date('2026-11-21T00:00:00Z'));
    const months = new Map<string, ArchiveEntry[]>();
    const queue = [...seeded.published];
    const worker = async () => {
      for (let post = queue.pop(); post; post = queue.pop()) {
        const month = monthOf(new Date(post.date), site.timeZone);
        months.set(month, [...(months.get(month) ?? []), toArchiveEntry(post)]);
        const record: SourceRecord = {
          sourcePath: post.sourcePath,
          version: 1,
          status: 'published',
          etag: 'seeded',
          post,
          month,
          claims: [`slug:${post.slug}`],
          problems: [],
        };
        await sources.putSource(record);
        await claims.claim(`slug:${post.slug}`, post.sourcePath, post.id);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    for (const [month, posts] of months)
      await archive.putMonth({ month, count: posts.length, posts: posts.sort(compareEntries) });

    standIns.s3.middlewareStack.add(
      (next) => (args) => {
        counts.s3++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCountS3' },
    );
    standIns.dynamo.middlewareStack.add(
      (next) => (args) => {
        counts.dynamo++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCountDynamo' },
    );

    const handler = createPublishHandler(
      {
        content,
        sources,
        claims,
        dirtyMarks: createDynamoDirtyMarks(table),
        renderLock: createDynamoRenderLock(table),
        archive,
        site,
        now: () => new Date('2026-11-21T00:00:00Z'),
        log: silentLogger,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        // As deployed: a published post also waits in the digest ledger (one more DynamoDB write).
        mailQueue: createDynamoMailQueue(table),
      },
      'posts/',
    );
    const times: number[] = [];
    const requests: { s3: number; dynamo: number }[] = [];
    for (let run = 0; run < runs; run++) {
      // The typical publish: a new post dated now, at the top of the feeds.
      const post = syntheticPost(existing + run);
      post.text = post.text.replace(/^date: .*$/m, `date: 2026-11-20T0${run}:00:00Z`);
      await standIns.s3.send(
        new PutObjectCommand({ Bucket: standIns.bucket, Key: `posts/${post.path}`, Body: post.text }),
      );
      counts.s3 = 0;
      counts.dynamo = 0;
      const started = performance.now();
      await handler(s3Event('created', `posts/${post.path}`));
      times.push(performance.now() - started);
      requests.push({ ...counts });
    }
    times.sort((a, b) => a - b);
    const last = requests[requests.length - 1] ?? { s3: 0, dynamo: 0 };
    return {
      ms: times[Math.floor(times.length / 2)] ?? 0,
      requests: last.s3 + last.dynamo,
      s3Requests: last.s3,
      dynamoRequests: last.dynamo,
    };
  } finally {
    await standIns.close();
  }
};
