import { z } from 'zod';
import type { MailQueue, QueuedPost } from '../app/ports.ts';
import type { StateTable } from './dynamo-table.ts';

/**
 * Posts on their way into a digest, in the state table:
 *
 * | pk      | sk       | what                                                         |
 * |---------|----------|--------------------------------------------------------------|
 * | `MAILQ` | feed id  | a published post, waiting for a digest or assigned to one    |
 *
 * One entry per feed id, kept for good (the marker that the post was mailed), so the queue grows with the posts
 * ever published: a few hundred bytes each, read once per digest.
 */
const MAIL_QUEUE = 'MAILQ';

/** An entry as queuePost and assignPost leave it (its pk and sk come along, as they always have). */
const queuedPostSchema = z.looseObject({
  feedId: z.string(),
  sourcePath: z.string(),
  queuedAt: z.string(),
  digestId: z.string().exactOptional(),
} satisfies Record<keyof QueuedPost, z.ZodType>) satisfies z.ZodType<QueuedPost>;

export const createDynamoMailQueue = (table: StateTable): MailQueue => ({
  queuePost: async ({ feedId, sourcePath, queuedAt }) => {
    // New entry, or a waiting one whose file was renamed (same feed id): follow the file. An entry already
    // assigned to a digest stays as it is.
    await table.updateIf(
      { pk: MAIL_QUEUE, sk: feedId },
      {
        UpdateExpression: 'SET feedId = :feed, sourcePath = :path, queuedAt = if_not_exists(queuedAt, :at)',
        ConditionExpression: 'attribute_not_exists(digestId)',
        ExpressionAttributeValues: { ':feed': feedId, ':path': sourcePath, ':at': queuedAt },
      },
    );
  },

  listQueued: async (digestId) => {
    const posts: QueuedPost[] = [];
    for await (const page of table.queryPages({
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'attribute_not_exists(digestId) OR digestId = :digest',
      ExpressionAttributeValues: { ':pk': MAIL_QUEUE, ':digest': digestId },
    })) {
      for (const item of page) posts.push(table.parse(queuedPostSchema, item));
    }
    return posts;
  },

  assignPost: async (feedId, digestId) =>
    (await table.updateIf(
      { pk: MAIL_QUEUE, sk: feedId },
      {
        UpdateExpression: 'SET digestId = :digest',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(digestId) OR digestId = :digest)',
        ExpressionAttributeValues: { ':digest': digestId },
      },
    )) !== undefined,
});
