import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { SubscriberStore } from '../app/ports.ts';
import { ConflictError } from '../core/errors.ts';
import type { Subscriber, SubscriberStatus } from '../core/subscribers/subscriber.ts';
import { openStateTable } from './dynamo-table.ts';

/**
 * The subscriber list in the state table, spread over a fixed number of partitions:
 *
 * | pk         | sk                 | what                                  |
 * |------------|--------------------|---------------------------------------|
 * | `SUB#07`   | the subscriber key | one record per address, any status    |
 *
 * The shard is a hash of the key, so a record is found with one strongly consistent GetItem, and the whole list is
 * read by querying every shard in parallel (no scan over posts and claims, no index to keep eventually consistent).
 * Sixteen shards keep each partition far below DynamoDB's per-partition write limit during a large import, and are
 * the natural unit for splitting a digest's recipients into batches.
 */
export const SUBSCRIBER_SHARDS = 16;

/** Which shard a key lives in: `00`..`15`. */
export const shardOf = (key: string): string =>
  String(createHash('sha256').update(key).digest().readUInt32BE(0) % SUBSCRIBER_SHARDS).padStart(2, '0');

const partition = (shard: string): string => `SUB#${shard}`;
const itemKey = (key: string) => ({ pk: partition(shardOf(key)), sk: key });
export const SHARD_NAMES: readonly string[] = Array.from({ length: SUBSCRIBER_SHARDS }, (_, i) =>
  String(i).padStart(2, '0'),
);

/** How an address reached the list (SubscribeVia). */
const subscribeVia = z.union([z.enum(['form', 'api', 'feedback']), z.templateLiteral(['import:', z.string()])], {
  error: 'expected one of "form"|"api"|"feedback"|"import:<file>"',
});

/** A subscriber as this store writes it; attributes it does not know are kept as they are. */
const subscriberSchema = z.looseObject({
  key: z.string(),
  address: z.string(),
  name: z.string().exactOptional(),
  status: z.enum(['pending', 'confirmed', 'unsubscribed', 'suppressed']),
  subscribedAt: z.string(),
  subscribedVia: subscribeVia,
  confirmedAt: z.string().exactOptional(),
  confirmedVia: z.enum(['link', 'import-attested']).exactOptional(),
  welcomedAt: z.string().exactOptional(),
  unsubscribedAt: z.string().exactOptional(),
  unsubscribedVia: z.enum(['one-click', 'page', 'cli', 'import']).exactOptional(),
  suppressedAt: z.string().exactOptional(),
  suppressedReason: z.enum(['bounce', 'complaint', 'import']).exactOptional(),
  suppressedDetail: z.string().exactOptional(),
  confirmNonce: z.string().exactOptional(),
  confirmSentAt: z.string().exactOptional(),
  confirmSends: z.array(z.string()).exactOptional(),
  request: z.looseObject({ at: z.string(), via: subscribeVia, name: z.string().exactOptional() }).exactOptional(),
  softBounces: z.array(z.string()).exactOptional(),
  version: z.number(),
} satisfies Record<keyof Subscriber, z.ZodType>) satisfies z.ZodType<Subscriber>;

export interface DynamoSubscriberStoreOptions {
  tableName: string;
  client?: DynamoDBClient;
}

export const createDynamoSubscriberStore = (options: DynamoSubscriberStoreOptions): SubscriberStore => {
  const table = openStateTable(options);
  const { doc } = table;
  const TableName = options.tableName;

  const toSubscriber = (item: Record<string, unknown>): Subscriber => {
    const { pk: _pk, sk: _sk, ...record } = table.parse(subscriberSchema, item);
    return record;
  };

  const conflictOnCondition = async (write: () => Promise<unknown>, what: string): Promise<void> => {
    try {
      await write();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`${what}: the subscriber changed concurrently`, { cause: error });
      }
      throw error;
    }
  };

  async function* queryShard(shard: string, status: SubscriberStatus | undefined): AsyncGenerator<Subscriber[]> {
    const input: QueryCommandInput = {
      TableName,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partition(shard), ...(status ? { ':status': status } : {}) },
      ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
    };
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey }));
      const items = (page.Items ?? []).map(toSubscriber);
      if (items.length > 0) yield items;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  return {
    get: async (key) => {
      const { Item } = await doc.send(new GetCommand({ TableName, Key: itemKey(key), ConsistentRead: true }));
      return Item ? toSubscriber(Item) : undefined;
    },
    save: (next) =>
      conflictOnCondition(
        () =>
          doc.send(
            new PutCommand({
              TableName,
              Item: { ...itemKey(next.key), ...next },
              ...(next.version === 1
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : {
                    ConditionExpression: 'version = :previous',
                    ExpressionAttributeValues: { ':previous': next.version - 1 },
                  }),
            }),
          ),
        `saving ${next.key}`,
      ),
    erase: (current) =>
      conflictOnCondition(
        () =>
          doc.send(
            new DeleteCommand({
              TableName,
              Key: itemKey(current.key),
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': current.version },
            }),
          ),
        `erasing ${current.key}`,
      ),
    list: (filter = {}) =>
      mergePages((filter.shard ? [filter.shard] : SHARD_NAMES).map((shard) => queryShard(shard, filter.status))),
    shards: SHARD_NAMES,
  };
};

/** Runs the shard queries concurrently and yields their pages as they arrive. */
async function* mergePages<T>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const pull = (index: number) => {
    const source = sources[index];
    if (source)
      pending.set(
        index,
        source.next().then((result) => ({ index, result })),
      );
  };
  sources.forEach((_, index) => {
    pull(index);
  });
  while (pending.size > 0) {
    const { index, result } = await Promise.race(pending.values());
    pending.delete(index);
    if (result.done) continue;
    pull(index);
    yield result.value;
  }
}
