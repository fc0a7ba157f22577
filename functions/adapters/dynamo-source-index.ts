import { gunzipSync, gzipSync } from 'node:zlib';
import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SourceIndex, SourceRecord } from '../app/ports.ts';
import { ConflictError, FeedmailError } from '../core/errors.ts';
import type { PostSummary, PublishedPost } from '../core/types.ts';
import { dueEntryItem } from './dynamo-due-entries.ts';
import type { StateTable } from './dynamo-table.ts';

/**
 * One record per source file in the state table:
 *
 * | pk    | sk           | what                                                                            |
 * |-------|--------------|---------------------------------------------------------------------------------|
 * | `SRC` | source path  | status, claims, problems, and the published post: `summary` (JSON), `body` (gzipped JSON); `byDate` set only while published |
 *
 * All published posts share one partition so that `byDate` (an LSI, the only index DynamoDB reads with strong
 * consistency) lists the newest posts in one query whatever the total (see dynamo-post-archive.ts). A blog's write
 * rate is far below a partition's limits.
 */
export class IndexStoreError extends FeedmailError {
  override name = 'IndexStoreError';
}

export const createDynamoSourceIndex = (table: StateTable): SourceIndex => {
  const TableName = table.name;
  return {
    async getSource(sourcePath) {
      const { Item } = await table.doc.send(
        new GetCommand({ TableName, Key: { pk: 'SRC', sk: sourcePath }, ConsistentRead: true }),
      );
      return Item ? toSourceRecord(Item) : undefined;
    },

    async getSources(sourcePaths) {
      const found = new Map<string, SourceRecord>();
      // BatchGetItem takes 100 keys at a time and may hand some back unprocessed (throttling): ask again for those.
      for (let i = 0; i < sourcePaths.length; i += 100) {
        let keys: Record<string, unknown>[] = [...new Set(sourcePaths.slice(i, i + 100))].map((sk) => ({
          pk: 'SRC',
          sk,
        }));
        for (let round = 0; keys.length > 0; round++) {
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
          const page = await table.doc.send(
            new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of page.Responses?.[TableName] ?? []) {
            const record = toSourceRecord(item);
            found.set(record.sourcePath, record);
          }
          keys = page.UnprocessedKeys?.[TableName]?.Keys ?? [];
        }
      }
      return sourcePaths.flatMap((path) => found.get(path) ?? []);
    },

    async putSource(record) {
      if (record.dueAt) {
        // Written first: a stale DUE entry only causes a harmless extra reconcile, a missing one a post never published.
        await table.doc.send(new PutCommand({ TableName, Item: dueEntryItem(record.sourcePath, record.dueAt) }));
      }
      const item = fromSourceRecord(record);
      const written = await table.applied(() =>
        table.doc.send(
          new PutCommand({
            TableName,
            Item: item,
            ConditionExpression: record.version === 1 ? 'attribute_not_exists(pk)' : 'version = :previous',
            ...(record.version === 1 ? {} : { ExpressionAttributeValues: { ':previous': record.version - 1 } }),
          }),
        ),
      );
      if (!written)
        throw new ConflictError(`${record.sourcePath} changed concurrently (expected version ${record.version - 1})`);
    },
  };
};

/** DynamoDB items hold at most 400 KB: bodies are stored gzipped, which keeps even the largest accepted post well under. */
const fromSourceRecord = (record: SourceRecord): Record<string, unknown> => {
  const { post, problems, ...rest } = record;
  const item: Record<string, unknown> = {
    pk: 'SRC',
    sk: record.sourcePath,
    ...rest,
    problems: JSON.stringify(capProblems(problems)),
  };
  if (post) {
    const { html, excerptHtml, ...summary } = post;
    item.summary = JSON.stringify(summary);
    item.body = gzipSync(JSON.stringify({ html, excerptHtml }));
    if (record.status === 'published') item.byDate = `${post.date}#${record.sourcePath}`;
  }
  return item;
};

/** Problems kept in the index; the rest are summed up in one line (a post can have thousands of warnings). */
const STORED_PROBLEMS = 50;

const capProblems = (problems: SourceRecord['problems']): SourceRecord['problems'] => {
  if (problems.length <= STORED_PROBLEMS) return problems;
  const rest = problems.slice(STORED_PROBLEMS);
  return [
    ...problems.slice(0, STORED_PROBLEMS),
    {
      file: problems[0]?.file ?? '',
      message: `…and ${rest.length} more problem(s), not stored.`,
      fix: 'Fix the ones listed and upload again to see the rest.',
      severity: rest.some((p) => p.severity === 'error') ? 'error' : 'warning',
    },
  ];
};

const toSourceRecord = (item: Record<string, unknown>): SourceRecord => {
  const record: SourceRecord = {
    sourcePath: String(item.sk),
    version: Number(item.version),
    status: item.status as SourceRecord['status'],
    claims: Array.isArray(item.claims) ? item.claims.map(String) : [],
    ...(Array.isArray(item.formerClaims) && item.formerClaims.length > 0
      ? { formerClaims: item.formerClaims.map(String) }
      : {}),
    problems: typeof item.problems === 'string' ? JSON.parse(item.problems) : [],
  };
  if (typeof item.etag === 'string') record.etag = item.etag;
  if (typeof item.month === 'string') record.month = item.month;
  if (typeof item.dueAt === 'string') record.dueAt = item.dueAt;
  if (typeof item.summary === 'string') record.post = publishedPostOf(item);
  return record;
};

/** The post of a `SRC` item (read from the table or the `byDate` index), bodies included. */
export const publishedPostOf = (item: Record<string, unknown>): PublishedPost => {
  const summary = postSummaryOf(item);
  if (!(item.body instanceof Uint8Array)) throw new IndexStoreError(`post ${summary.sourcePath} has no stored body`);
  const body = JSON.parse(gunzipSync(item.body).toString('utf8')) as { html: string; excerptHtml?: string };
  return { ...summary, html: body.html, ...(body.excerptHtml !== undefined ? { excerptHtml: body.excerptHtml } : {}) };
};

/** The post of a `SRC` item without its bodies (all a month's list needs, so all it reads). */
export const postSummaryOf = (item: Record<string, unknown>): PostSummary =>
  JSON.parse(String(item.summary)) as PostSummary;
