import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Claim, DirtyMark, PostIndex, SiteState, SourceRecord } from '../app/ports.ts';
import { ConflictError, FeedmailError } from '../core/errors.ts';
import type { MonthRef, PostSummary, PublishedPost } from '../core/types.ts';

/**
 * The post index in one DynamoDB table (pk/sk strings, plus the local secondary index `byDate`).
 *
 * | pk     | sk                      | what                                                        |
 * |--------|-------------------------|-------------------------------------------------------------|
 * | SRC    | source path             | one record per Markdown file; `byDate` set only if published |
 * | CLAIM  | `slug:…` / `id:…`       | unique names and the feed id they were first published with |
 * | DIRTY  | output key              | outputs to re-render, with the token of the latest change    |
 * | SITE   | STATE                   | revision counters and the render lease                       |
 * | MONTH  | `YYYY-MM`               | post count and archive entries (gzipped) per archive month   |
 * | DUE    | `<instant>#<source>`    | scheduled posts and expiries, for the timer                  |
 *
 * All published posts share one partition so that `byDate` (an LSI, the only index DynamoDB reads with strong
 * consistency) lists the newest posts in one query whatever the total. A blog's write rate is far below a
 * partition's limits.
 */
export const BY_DATE_INDEX = 'byDate';

const SITE_STATE = { pk: 'SITE', sk: 'STATE' };
const claimKey = (name: string) => ({ pk: 'CLAIM', sk: name });

export class IndexStoreError extends FeedmailError {
  override name = 'IndexStoreError';
}

export interface DynamoPostIndexOptions {
  tableName: string;
  client?: DynamoDBClient;
  /** Random tokens for dirty marks (injectable for tests). */
  token?: () => string;
}

export const createDynamoPostIndex = (options: DynamoPostIndexOptions): PostIndex => {
  const doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const TableName = options.tableName;
  const token = options.token ?? (() => crypto.randomUUID());

  const conditional = async <T>(write: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await write();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  };

  const queryAll = async (input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> => {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new QueryCommand({ TableName, ConsistentRead: true, ...input, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && (input.Limit === undefined || items.length < input.Limit));
    return input.Limit === undefined ? items : items.slice(0, input.Limit);
  };

  /** An UpdateItem applied only if its condition holds: the new attributes, or undefined when it did not hold. */
  const updateIf = async (
    Key: Record<string, string>,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
  ): Promise<Record<string, unknown> | undefined> => {
    const result = await conditional(() => doc.send(new UpdateCommand({ TableName, Key, ...input })));
    return result ? (result.Attributes ?? {}) : undefined;
  };

  const getSource = async (sourcePath: string): Promise<SourceRecord | undefined> => {
    const { Item } = await doc.send(
      new GetCommand({ TableName, Key: { pk: 'SRC', sk: sourcePath }, ConsistentRead: true }),
    );
    return Item ? toSourceRecord(Item) : undefined;
  };

  const getClaim = async (name: string): Promise<Claim | undefined> => {
    const { Item } = await doc.send(new GetCommand({ TableName, Key: claimKey(name), ConsistentRead: true }));
    return Item ? toClaim(Item) : undefined;
  };

  const getSiteState = async (): Promise<SiteState> => {
    const { Item } = await doc.send(new GetCommand({ TableName, Key: SITE_STATE, ConsistentRead: true }));
    return {
      revision: Number(Item?.revision ?? 0),
      renderedRevision: Number(Item?.renderedRevision ?? 0),
      ...(typeof Item?.lockOwner === 'string' ? { lockOwner: Item.lockOwner } : {}),
      ...(typeof Item?.lockUntil === 'number' ? { lockUntil: Item.lockUntil } : {}),
    };
  };

  return {
    getSource,

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
          const page = await doc.send(
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
        await doc.send(
          new PutCommand({
            TableName,
            Item: {
              pk: 'DUE',
              sk: `${record.dueAt}#${record.sourcePath}`,
              sourcePath: record.sourcePath,
              dueAt: record.dueAt,
            },
          }),
        );
      }
      const item = fromSourceRecord(record);
      const written = await conditional(() =>
        doc.send(
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

    async claim(name, owner, postId) {
      const claimed = await updateIf(claimKey(name), {
        UpdateExpression: 'SET #owner = :owner, postId = if_not_exists(postId, :postId) REMOVE retiredAt',
        ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner, ':postId': postId ?? null },
        ReturnValues: 'ALL_NEW',
      });
      if (claimed) return toClaim(claimed);
      const current = await getClaim(name);
      if (!current) throw new ConflictError(`claim ${name} vanished while being taken; the event will be retried`);
      return current;
    },

    async transferClaim(name, from, to, newPostId) {
      const moved = await updateIf(claimKey(name), {
        UpdateExpression: `SET #owner = :to${newPostId === undefined ? '' : ', postId = :postId'} REMOVE retiredAt`,
        ConditionExpression: '#owner = :from',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':from': from,
          ':to': to,
          ...(newPostId === undefined ? {} : { ':postId': newPostId }),
        },
      });
      return moved !== undefined;
    },

    async retireClaim(name, owner, at) {
      await updateIf(claimKey(name), {
        UpdateExpression: 'SET retiredAt = if_not_exists(retiredAt, :at)',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner, ':at': at },
      });
    },

    async releaseClaim(name, owner) {
      await conditional(() =>
        doc.send(
          new DeleteCommand({
            TableName,
            Key: claimKey(name),
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
        ),
      );
    },

    getClaim,

    async markDirty(keys) {
      for (const key of keys) {
        await doc.send(new PutCommand({ TableName, Item: { pk: 'DIRTY', sk: key, token: token() } }));
      }
    },

    async listDirty() {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DIRTY' },
      });
      return items.map((item) => ({ key: String(item.sk), token: String(item.token) }));
    },

    async clearDirty(mark: DirtyMark) {
      await conditional(() =>
        doc.send(
          new DeleteCommand({
            TableName,
            Key: { pk: 'DIRTY', sk: mark.key },
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#token': 'token' },
            ExpressionAttributeValues: { ':token': mark.token },
          }),
        ),
      );
    },

    getSiteState,

    async bumpRevision() {
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName,
          Key: SITE_STATE,
          UpdateExpression: 'ADD revision :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.revision);
    },

    async tryLock(owner, nowMs, leaseMs) {
      const locked = await updateIf(SITE_STATE, {
        UpdateExpression: 'SET lockOwner = :owner, lockUntil = :until',
        ConditionExpression: 'attribute_not_exists(lockOwner) OR lockUntil < :now OR lockOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner, ':until': nowMs + leaseMs, ':now': nowMs },
      });
      return locked !== undefined;
    },

    async markRendered(owner, revision, nowMs, leaseMs) {
      const marked = await updateIf(SITE_STATE, {
        UpdateExpression: 'SET renderedRevision = :revision, lockUntil = :until',
        ConditionExpression:
          'lockOwner = :owner AND (attribute_not_exists(renderedRevision) OR renderedRevision < :revision)',
        ExpressionAttributeValues: { ':owner': owner, ':revision': revision, ':until': nowMs + leaseMs },
      });
      if (marked) return true;
      // Still the holder and someone already recorded this revision: carry on; otherwise the lease was lost.
      const state = await getSiteState();
      return state.lockOwner === owner;
    },

    async renewLease(owner, nowMs, leaseMs) {
      const renewed = await updateIf(SITE_STATE, {
        UpdateExpression: 'SET lockUntil = :until',
        ConditionExpression: 'lockOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner, ':until': nowMs + leaseMs },
      });
      return renewed !== undefined;
    },

    async unlock(owner) {
      await updateIf(SITE_STATE, {
        UpdateExpression: 'REMOVE lockOwner, lockUntil',
        ConditionExpression: 'lockOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      });
    },

    async newestPosts(limit) {
      const items = await queryAll({
        IndexName: BY_DATE_INDEX,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'SRC' },
        ScanIndexForward: false,
        Limit: limit,
      });
      return items.map(toPublishedPost);
    },

    async postsInMonth(month) {
      // byDate is a UTC instant and months are in the site's zone: read a day either side, keep the month's own.
      const [year, mm] = month.split('-').map(Number) as [number, number];
      const from = new Date(Date.UTC(year, mm - 1, 1) - 86_400_000).toISOString();
      const to = new Date(Date.UTC(year, mm, 1) + 86_400_000).toISOString();
      const items = await queryAll({
        IndexName: BY_DATE_INDEX,
        KeyConditionExpression: 'pk = :pk AND byDate BETWEEN :from AND :to',
        FilterExpression: '#month = :month',
        ProjectionExpression: 'summary',
        ExpressionAttributeNames: { '#month': 'month' },
        ExpressionAttributeValues: { ':pk': 'SRC', ':from': from, ':to': to, ':month': month },
        ScanIndexForward: false,
      });
      return items.map((item) => JSON.parse(String(item.summary)) as PostSummary);
    },

    async listMonths() {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'MONTH' },
      });
      return items.map((item): MonthRef => {
        const ref: MonthRef = { month: String(item.sk), count: Number(item.count) };
        if (item.posts instanceof Uint8Array) ref.posts = JSON.parse(gunzipSync(item.posts).toString('utf8'));
        return ref;
      });
    },

    async putMonth({ month, count, posts }) {
      if (count === 0) {
        await doc.send(new DeleteCommand({ TableName, Key: { pk: 'MONTH', sk: month } }));
        return;
      }
      // Gzipped: a month of a few thousand entries stays far below DynamoDB's 400 KB per item.
      const entries = posts ? { posts: gzipSync(JSON.stringify(posts)) } : {};
      await doc.send(new PutCommand({ TableName, Item: { pk: 'MONTH', sk: month, count, ...entries } }));
    },

    async listDue(at) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND sk <= :at',
        ExpressionAttributeValues: { ':pk': 'DUE', ':at': `${at}#\u{10ffff}` },
      });
      return items.map((item) => ({ sourcePath: String(item.sourcePath), dueAt: String(item.dueAt) }));
    },

    async clearDue(sourcePath, dueAt) {
      await doc.send(new DeleteCommand({ TableName, Key: { pk: 'DUE', sk: `${dueAt}#${sourcePath}` } }));
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
  if (typeof item.summary === 'string') record.post = toPublishedPost(item);
  return record;
};

const toPublishedPost = (item: Record<string, unknown>): PublishedPost => {
  const summary = JSON.parse(String(item.summary)) as PostSummary;
  if (!(item.body instanceof Uint8Array)) throw new IndexStoreError(`post ${summary.sourcePath} has no stored body`);
  const body = JSON.parse(gunzipSync(item.body).toString('utf8')) as { html: string; excerptHtml?: string };
  return { ...summary, html: body.html, ...(body.excerptHtml !== undefined ? { excerptHtml: body.excerptHtml } : {}) };
};

const toClaim = (item: Record<string, unknown>): Claim => ({
  name: String(item.sk),
  owner: String(item.owner),
  ...(typeof item.postId === 'string' ? { postId: item.postId } : {}),
  ...(typeof item.retiredAt === 'string' ? { retiredAt: item.retiredAt } : {}),
});

/** The table layout the stack and the local stand-in both create. */
export const STATE_TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  byDateIndex: BY_DATE_INDEX,
  byDateKey: 'byDate',
} as const;
