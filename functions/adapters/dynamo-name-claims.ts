import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Claim, NameClaims } from '../app/ports.ts';
import { ConflictError } from '../core/errors.ts';
import type { StateTable } from './dynamo-table.ts';

/**
 * Unique names in the state table:
 *
 * | pk      | sk                             | what                                                                |
 * |---------|--------------------------------|---------------------------------------------------------------------|
 * | `CLAIM` | `slug:…` / `id:…` / `feedid:…` | the source that holds the name, and the feed id it first came with  |
 */
const claimKey = (name: string) => ({ pk: 'CLAIM', sk: name });

/** `postId` is NULL when the name was first claimed without one (a claim before the post had its id). */
const claimItemSchema = z.object({
  sk: z.string(),
  owner: z.string(),
  postId: z.string().nullable().exactOptional(),
  retiredAt: z.string().exactOptional(),
});

export const createDynamoNameClaims = (table: StateTable): NameClaims => {
  const TableName = table.name;

  const getClaim = async (name: string): Promise<Claim | undefined> => {
    const { Item } = await table.doc.send(new GetCommand({ TableName, Key: claimKey(name), ConsistentRead: true }));
    return Item ? toClaim(table, Item) : undefined;
  };

  return {
    async claim(name, owner, postId) {
      const claimed = await table.updateIf(claimKey(name), {
        UpdateExpression: 'SET #owner = :owner, postId = if_not_exists(postId, :postId) REMOVE retiredAt',
        ConditionExpression: 'attribute_not_exists(pk) OR #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner, ':postId': postId ?? null },
        ReturnValues: 'ALL_NEW',
      });
      if (claimed) return toClaim(table, claimed);
      const current = await getClaim(name);
      if (!current) throw new ConflictError(`claim ${name} vanished while being taken; the event will be retried`);
      return current;
    },

    async transferClaim(name, from, to, newPostId) {
      const moved = await table.updateIf(claimKey(name), {
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
      await table.updateIf(claimKey(name), {
        UpdateExpression: 'SET retiredAt = if_not_exists(retiredAt, :at)',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner, ':at': at },
      });
    },

    async releaseClaim(name, owner) {
      await table.applied(() =>
        table.doc.send(
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
  };
};

const toClaim = (table: StateTable, item: Record<string, unknown>): Claim => {
  const stored = table.parse(claimItemSchema, item);
  return {
    name: stored.sk,
    owner: stored.owner,
    ...(typeof stored.postId === 'string' ? { postId: stored.postId } : {}),
    ...(stored.retiredAt !== undefined ? { retiredAt: stored.retiredAt } : {}),
  };
};
