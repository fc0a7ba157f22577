import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createDynamoPostIndex, type PostIndexPorts } from '../../functions/adapters/dynamo-post-index.ts';
import { openStateTable } from '../../functions/adapters/dynamo-table.ts';
import { createS3ContentStore } from '../../functions/adapters/s3-content-store.ts';
import type { Logger } from '../../functions/app/logger.ts';
import type { ContentStore, NameClaims, SourceIndex } from '../../functions/app/ports.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import type { SiteConfig } from '../../functions/core/types.ts';
import { createPublishHandler, type PublishHandler } from '../../functions/handlers/create-publish-handler.ts';
import { type StandIns, startStandIns } from '../../functions/local/stand-ins.ts';

export const testSite = (overrides: Record<string, unknown> = {}): SiteConfig =>
  parseSiteConfig({
    title: 'Harness Notes',
    description: 'Posts published by the integration tests.',
    baseUrl: 'https://notes.example/',
    author: { name: 'Test Author' },
    feedSize: 5,
    pageSize: 5,
    timeZone: 'UTC',
    ...overrides,
  });

export interface LogLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** The post index's ports, each over the stand-in table. */
export type HarnessIndex = PostIndexPorts;

export interface Harness {
  standIns: StandIns;
  content: ContentStore;
  index: HarnessIndex;
  site: SiteConfig;
  logs: LogLine[];
  handler(options?: {
    content?: ContentStore;
    sources?: SourceIndex;
    claims?: NameClaims;
    now?: () => Date;
    leaseMs?: number;
    waitMs?: number;
  }): PublishHandler;
  upload(path: string, text: string | Uint8Array): Promise<void>;
  remove(path: string): Promise<void>;
  readPublic(path: string): Promise<string | undefined>;
  readObject(key: string): Promise<{ body: string; contentType?: string; cacheControl?: string } | undefined>;
  listPublic(): Promise<string[]>;
  close(): Promise<void>;
}

/** Real adapters over the in-process S3 and DynamoDB stand-ins, each test with its own bucket and table. */
export const startHarness = async (site: SiteConfig = testSite()): Promise<Harness> => {
  const standIns = await startStandIns();
  const content = createS3ContentStore({ bucket: standIns.bucket, client: standIns.s3 });
  const table = openStateTable({ tableName: standIns.tableName, client: standIns.dynamo });
  const index: HarnessIndex = createDynamoPostIndex(table);
  const logs: LogLine[] = [];
  const log: Logger = {
    info: (message, fields = {}) => logs.push({ level: 'info', message, fields }),
    warn: (message, fields = {}) => logs.push({ level: 'warn', message, fields }),
    error: (message, fields = {}) => logs.push({ level: 'error', message, fields }),
  };
  const readObject = async (key: string) => {
    try {
      const object = await standIns.s3.send(new GetObjectCommand({ Bucket: standIns.bucket, Key: key }));
      return {
        body: (await object.Body?.transformToString('utf8')) ?? '',
        ...(object.ContentType ? { contentType: object.ContentType } : {}),
        ...(object.CacheControl ? { cacheControl: object.CacheControl } : {}),
      };
    } catch {
      return undefined;
    }
  };
  return {
    standIns,
    content,
    index,
    site,
    logs,
    handler: (options = {}) =>
      createPublishHandler(
        {
          content: options.content ?? content,
          ...index,
          sources: options.sources ?? index.sources,
          claims: options.claims ?? index.claims,
          site,
          now: options.now ?? (() => new Date()),
          log,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
          ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
        },
        'posts/',
      ),
    upload: async (path, text) => {
      await standIns.s3.send(new PutObjectCommand({ Bucket: standIns.bucket, Key: `posts/${path}`, Body: text }));
    },
    remove: async (path) => {
      await standIns.s3.send(new DeleteObjectCommand({ Bucket: standIns.bucket, Key: `posts/${path}` }));
    },
    readPublic: async (path) => (await readObject(`site/${path}`))?.body,
    readObject,
    listPublic: async () => {
      const listed = await standIns.s3.send(new ListObjectsV2Command({ Bucket: standIns.bucket, Prefix: 'site/' }));
      return (listed.Contents ?? []).map((object) => (object.Key ?? '').slice('site/'.length)).sort();
    },
    close: () => standIns.close(),
  };
};

/** A small valid post. */
export const postText = (fields: {
  title: string;
  date?: string;
  slug?: string;
  id?: string;
  body?: string;
  extra?: string;
}): string =>
  [
    '---',
    `title: ${JSON.stringify(fields.title)}`,
    `date: ${fields.date ?? '2024-11-14T09:30:00Z'}`,
    ...(fields.slug ? [`slug: ${fields.slug}`] : []),
    ...(fields.id ? [`id: ${fields.id}`] : []),
    ...(fields.extra ? [fields.extra] : []),
    '---',
    '',
    fields.body ?? `Body of ${fields.title}.`,
    '',
  ].join('\n');
