import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type {
  BatchTally,
  CompiledForSending,
  Delivery,
  DigestRecord,
  DigestStatus,
  DigestStore,
  QueuedPost,
} from '../app/ports.ts';
import { shardOf } from './dynamo-subscriber-store.ts';

/**
 * Digests in the state table:
 *
 * | pk                      | sk            | what                                                         |
 * |-------------------------|---------------|--------------------------------------------------------------|
 * | `MAILQ`                 | feed id       | a published post, waiting for a digest or assigned to one    |
 * | `DIGEST`                | digest id     | the digest record: posts, compiled mail, fan-out, counters    |
 * | `DELIV#<digest>#<shard>`| subscriber key| the delivery claim of one recipient                          |
 * | `BATCH#<digest>`        | batch id      | the tally of a batch whose recipients are all settled         |
 *
 * The ledger keeps one entry per feed id for good (the marker that the post was mailed), so it grows with the
 * posts ever published: a few hundred bytes each, read once per digest.
 */
const LEDGER = 'MAILQ';
const DIGESTS = 'DIGEST';
const deliveryPartition = (digestId: string, key: string) => `DELIV#${digestId}#${shardOf(key)}`;

export interface DynamoDigestStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
  /** The shards subscriber keys are spread over (the subscriber store's). */
  shards: readonly string[];
}

type Item = Record<string, unknown>;

/** The record's fields apart from the compiled mail, for listings. */
const RECORD_FIELDS = [
  'id',
  'status',
  'createdAt',
  'feedIds',
  'subject',
  'shardsQueued',
  'recipients',
  'batches',
  'sent',
  'failed',
  'skipped',
  'uncertain',
  'startedAt',
  'finishedAt',
] as const satisfies readonly (keyof DigestRecord)[];

const toRecord = (item: Item): DigestRecord => {
  const { pk: _pk, sk: _sk, compiledGz, ...rest } = item;
  const record = rest as unknown as DigestRecord;
  return compiledGz instanceof Uint8Array
    ? { ...record, compiled: JSON.parse(gunzipSync(compiledGz).toString('utf8')) as CompiledForSending }
    : record;
};

const toDelivery = (item: Item): Delivery => {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as Delivery;
};

export const createDynamoDigestStore = (options: DynamoDigestStoreOptions): DigestStore => {
  const doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const TableName = options.tableName;

  /** Runs a conditional write: true when it applied, false when its condition did not hold. */
  const applied = async (write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };
  const update = (Key: Item, input: Omit<UpdateCommandInput, 'TableName' | 'Key'>) =>
    applied(() => doc.send(new UpdateCommand({ TableName, Key, ...input })));

  async function* queryAll(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<Item[]> {
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await doc.send(new QueryCommand({ TableName, ConsistentRead: true, ...input, ExclusiveStartKey }));
      if (page.Items?.length) yield page.Items;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  const getDigest = async (id: string): Promise<DigestRecord | undefined> => {
    const { Item } = await doc.send(new GetCommand({ TableName, Key: { pk: DIGESTS, sk: id }, ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  };

  const getDelivery = async (digestId: string, key: string): Promise<Delivery | undefined> => {
    const { Item } = await doc.send(
      new GetCommand({ TableName, Key: { pk: deliveryPartition(digestId, key), sk: key }, ConsistentRead: true }),
    );
    return Item ? toDelivery(Item) : undefined;
  };

  /** Every digest record without its compiled mail (a few hundred bytes each; one per week or per post). */
  const listRecords = async (): Promise<DigestRecord[]> => {
    const records: DigestRecord[] = [];
    for await (const page of queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': DIGESTS },
      ProjectionExpression: RECORD_FIELDS.map((_, i) => `#r${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(RECORD_FIELDS.map((name, i) => [`#r${i}`, name])),
    })) {
      records.push(...page.map(toRecord));
    }
    return records;
  };

  /** Splits `compiled` out into a gzipped binary attribute: a digest's HTML stays far below the 400 KB item limit. */
  const storable = (fields: Partial<DigestRecord>): Item => {
    const { compiled, ...rest } = fields;
    return compiled ? { ...rest, compiledGz: gzipSync(JSON.stringify(compiled)) } : rest;
  };

  return {
    queuePost: async ({ feedId, sourcePath, queuedAt }) => {
      // New entry, or a waiting one whose file was renamed (same feed id): follow the file. An entry already
      // assigned to a digest stays as it is.
      await update(
        { pk: LEDGER, sk: feedId },
        {
          UpdateExpression: 'SET feedId = :feed, sourcePath = :path, queuedAt = if_not_exists(queuedAt, :at)',
          ConditionExpression: 'attribute_not_exists(digestId)',
          ExpressionAttributeValues: { ':feed': feedId, ':path': sourcePath, ':at': queuedAt },
        },
      );
    },
    listQueued: async (digestId) => {
      const posts: QueuedPost[] = [];
      for await (const page of queryAll({
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'attribute_not_exists(digestId) OR digestId = :digest',
        ExpressionAttributeValues: { ':pk': LEDGER, ':digest': digestId },
      })) {
        for (const item of page) posts.push(item as unknown as QueuedPost);
      }
      return posts;
    },
    assignPost: (feedId, digestId) =>
      update(
        { pk: LEDGER, sk: feedId },
        {
          UpdateExpression: 'SET digestId = :digest',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(digestId) OR digestId = :digest)',
          ExpressionAttributeValues: { ':digest': digestId },
        },
      ),
    openDigest: async (record) => {
      await applied(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: { pk: DIGESTS, sk: record.id, ...storable(record) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return (await getDigest(record.id)) as DigestRecord;
    },
    getDigest,
    updateDigest: (id, expected, fields) => {
      const item = storable(fields);
      const names = Object.keys(item);
      if (names.length === 0) return Promise.resolve(true);
      return update(
        { pk: DIGESTS, sk: id },
        {
          UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ConditionExpression: '#status = :expected',
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':expected': expected,
            ...Object.fromEntries(names.map((name, i) => [`:v${i}`, item[name]])),
          },
        },
      );
    },
    recordShardQueued: async (id, shard, recipients, batches) => {
      await update(
        { pk: DIGESTS, sk: id },
        {
          UpdateExpression: 'SET shardsQueued = list_append(shardsQueued, :shard) ADD recipients :n, batches :b',
          ConditionExpression: 'NOT contains(shardsQueued, :name)',
          ExpressionAttributeValues: { ':shard': [shard], ':name': shard, ':n': recipients, ':b': batches },
        },
      );
    },
    countBatchRun: async (id) => {
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName,
          Key: { pk: DIGESTS, sk: id },
          UpdateExpression: 'ADD batchRuns :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.batchRuns ?? 0);
    },
    recordBatch: async (id, batchId, tally) => {
      await doc.send(new PutCommand({ TableName, Item: { pk: `BATCH#${id}`, sk: batchId, ...tally } }));
    },
    batchTallies: async (id) => {
      const totals: BatchTally = { sent: 0, failed: 0, skipped: 0, uncertain: 0 };
      let batches = 0;
      for await (const page of queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `BATCH#${id}` },
      })) {
        for (const item of page) {
          batches++;
          for (const name of Object.keys(totals) as (keyof BatchTally)[]) totals[name] += Number(item[name] ?? 0);
        }
      }
      return { batches, totals };
    },
    finishDigest: async (id, totals, at) => {
      await update(
        { pk: DIGESTS, sk: id },
        {
          UpdateExpression:
            'SET finishedAt = :at, #status = :sent, sent = :s, failed = :f, skipped = :k, uncertain = :u',
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':at': at,
            ':sent': 'sent' satisfies DigestStatus,
            ':sending': 'sending' satisfies DigestStatus,
            ':s': totals.sent,
            ':f': totals.failed,
            ':k': totals.skipped,
            ':u': totals.uncertain,
          },
        },
      );
    },
    listDigests: async (limit) => {
      const records = await listRecords();
      return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
    },
    listUnfinished: async () =>
      (await listRecords()).filter((record) => record.status === 'planning' || record.status === 'queueing'),

    claimDelivery: async ({ digestId, key, owner, leaseUntil, now }) => {
      const delivery: Delivery = { digestId, key, state: 'claimed', owner, leaseUntil, at: now };
      const taken = await applied(() =>
        doc.send(
          new PutCommand({
            TableName,
            Item: { pk: deliveryPartition(digestId, key), sk: key, ...delivery },
            // Free, or claimed by a sender whose lease ran out (it died before calling SES).
            ConditionExpression: 'attribute_not_exists(pk) OR (#state = :claimed AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':claimed': 'claimed', ':now': now },
          }),
        ),
      );
      if (taken) return { taken, delivery };
      return { taken, delivery: (await getDelivery(digestId, key)) as Delivery };
    },
    markSending: (digestId, key, owner, at) =>
      update(
        { pk: deliveryPartition(digestId, key), sk: key },
        {
          UpdateExpression: 'SET #state = :sending, #at = :at REMOVE leaseUntil',
          ConditionExpression: '#state = :claimed AND #owner = :owner',
          ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner', '#at': 'at' },
          ExpressionAttributeValues: { ':sending': 'sending', ':claimed': 'claimed', ':owner': owner, ':at': at },
        },
      ),
    releaseDelivery: async (digestId, key, owner, leaseUntil) => {
      await update(
        { pk: deliveryPartition(digestId, key), sk: key },
        {
          UpdateExpression: 'SET #state = :claimed, leaseUntil = :lease',
          ConditionExpression: '#state = :sending AND #owner = :owner',
          ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':claimed': 'claimed',
            ':sending': 'sending',
            ':owner': owner,
            ':lease': leaseUntil,
          },
        },
      );
    },
    settleDelivery: (digestId, key, owner, outcome, at) =>
      update(
        { pk: deliveryPartition(digestId, key), sk: key },
        {
          UpdateExpression:
            outcome.state === 'sent'
              ? 'SET #state = :state, #at = :at, messageId = :detail REMOVE leaseUntil'
              : 'SET #state = :state, #at = :at, reason = :detail REMOVE leaseUntil',
          ConditionExpression: '#owner = :owner AND (#state = :claimed OR #state = :sending)',
          ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner', '#at': 'at' },
          ExpressionAttributeValues: {
            ':state': outcome.state,
            ':at': at,
            ':detail': outcome.state === 'sent' ? outcome.messageId : outcome.reason,
            ':owner': owner,
            ':claimed': 'claimed',
            ':sending': 'sending',
          },
        },
      ),
    settleAbandoned: (digestId, key, olderThan, at) =>
      update(
        { pk: deliveryPartition(digestId, key), sk: key },
        {
          UpdateExpression: 'SET #state = :uncertain, #at = :at, reason = :reason',
          ConditionExpression: '#state = :sending AND #at < :olderThan',
          ExpressionAttributeNames: { '#state': 'state', '#at': 'at' },
          ExpressionAttributeValues: {
            ':uncertain': 'uncertain',
            ':sending': 'sending',
            ':olderThan': olderThan,
            ':at': at,
            ':reason': 'the sender stopped while SES was being called',
          },
        },
      ),
    listDeliveries: (digestId) => {
      const shards = options.shards;
      async function* all(): AsyncGenerator<Delivery[]> {
        for (const shard of shards) {
          for await (const page of queryAll({
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `DELIV#${digestId}#${shard}` },
          })) {
            yield page.map(toDelivery);
          }
        }
      }
      return all();
    },
  };
};
