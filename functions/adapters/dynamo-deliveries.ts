import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Deliveries, Delivery } from '../app/ports.ts';
import { shardOf } from './dynamo-subscriber-store.ts';
import type { StateTable } from './dynamo-table.ts';

/**
 * The delivery claims in the state table, spread over the subscriber list's shards:
 *
 * | pk                       | sk              | what                                  |
 * |--------------------------|-----------------|---------------------------------------|
 * | `DELIV#<digest>#<shard>` | subscriber key  | the delivery claim of one recipient   |
 */
const deliveryPartition = (digestId: string, key: string) => `DELIV#${digestId}#${shardOf(key)}`;

export interface DynamoDeliveriesOptions {
  /** The shards subscriber keys are spread over (the subscriber store's). */
  shards: readonly string[];
}

const deliverySchema = z.looseObject({
  digestId: z.string(),
  key: z.string(),
  state: z.enum(['claimed', 'sending', 'sent', 'failed', 'skipped', 'uncertain']),
  owner: z.string(),
  leaseUntil: z.string().exactOptional(),
  at: z.string(),
  messageId: z.string().exactOptional(),
  reason: z.string().exactOptional(),
} satisfies Record<keyof Delivery, z.ZodType>) satisfies z.ZodType<Delivery>;

export const createDynamoDeliveries = (table: StateTable, options: DynamoDeliveriesOptions): Deliveries => {
  const TableName = table.name;
  const toDelivery = (item: Record<string, unknown>): Delivery => {
    const { pk: _pk, sk: _sk, ...delivery } = table.parse(deliverySchema, item);
    return delivery;
  };
  const update = async (Key: Record<string, unknown>, input: Parameters<StateTable['updateIf']>[1]) =>
    (await table.updateIf(Key, input)) !== undefined;

  const getDelivery = async (digestId: string, key: string): Promise<Delivery | undefined> => {
    const { Item } = await table.doc.send(
      new GetCommand({ TableName, Key: { pk: deliveryPartition(digestId, key), sk: key }, ConsistentRead: true }),
    );
    return Item ? toDelivery(Item) : undefined;
  };

  return {
    claimDelivery: async ({ digestId, key, owner, leaseUntil, now }) => {
      const delivery: Delivery = { digestId, key, state: 'claimed', owner, leaseUntil, at: now };
      const taken = await table.applied(() =>
        table.doc.send(
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
          for await (const page of table.queryPages({
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
