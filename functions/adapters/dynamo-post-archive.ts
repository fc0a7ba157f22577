import { gzipSync } from 'node:zlib';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { PostArchive } from '../app/ports.ts';
import type { ArchiveEntry, MonthRef } from '../core/types.ts';
import { postSummaryOf, publishedPostOf } from './dynamo-source-index.ts';
import { BY_DATE_INDEX, gzippedJson, type StateTable } from './dynamo-table.ts';

/**
 * The archive in the state table: its months, and the published posts read by date through `byDate` (the local
 * secondary index over the `SRC` rows of dynamo-source-index.ts).
 *
 * | pk      | sk        | what                                                        |
 * |---------|-----------|-------------------------------------------------------------|
 * | `MONTH` | `YYYY-MM` | post count and archive entries (gzipped) per archive month  |
 */
/**
 * The fields in the order toArchiveEntry writes them, as zod returns them in the schema's order and the renderer
 * compares a stored month with a new one as text (a difference would only cost a rewrite of the month).
 */
const archiveEntrySchema = z.looseObject({
  slug: z.string(),
  sourcePath: z.string(),
  title: z.string(),
  date: z.string(),
  updated: z.string().exactOptional(),
  tags: z.array(z.string()),
} satisfies Record<keyof ArchiveEntry, z.ZodType>) satisfies z.ZodType<ArchiveEntry>;

const monthItemSchema = z.object({
  sk: z.string(),
  count: z.number(),
  posts: gzippedJson(z.array(archiveEntrySchema)).exactOptional(),
});

export const createDynamoPostArchive = (table: StateTable): PostArchive => ({
  async newestPosts(limit) {
    const items = await table.queryAll({
      IndexName: BY_DATE_INDEX,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'SRC' },
      ScanIndexForward: false,
      Limit: limit,
    });
    return items.map((item) => publishedPostOf(table, item));
  },

  async postsInMonth(month) {
    // byDate is a UTC instant and months are in the site's zone: read a day either side, keep the month's own.
    const [year, mm] = month.split('-').map(Number) as [number, number];
    const from = new Date(Date.UTC(year, mm - 1, 1) - 86_400_000).toISOString();
    const to = new Date(Date.UTC(year, mm, 1) + 86_400_000).toISOString();
    const items = await table.queryAll({
      IndexName: BY_DATE_INDEX,
      KeyConditionExpression: 'pk = :pk AND byDate BETWEEN :from AND :to',
      FilterExpression: '#month = :month',
      // The key too, so that a damaged summary is reported with its record.
      ProjectionExpression: 'sk, summary',
      ExpressionAttributeNames: { '#month': 'month' },
      ExpressionAttributeValues: { ':pk': 'SRC', ':from': from, ':to': to, ':month': month },
      ScanIndexForward: false,
    });
    return items.map((item) => postSummaryOf(table, item));
  },

  async listMonths() {
    const items = await table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'MONTH' },
    });
    return items.map((item): MonthRef => {
      const stored = table.parse(monthItemSchema, item);
      const ref: MonthRef = { month: stored.sk, count: stored.count };
      if (stored.posts !== undefined) ref.posts = stored.posts;
      return ref;
    });
  },

  async putMonth({ month, count, posts }) {
    if (count === 0) {
      await table.doc.send(new DeleteCommand({ TableName: table.name, Key: { pk: 'MONTH', sk: month } }));
      return;
    }
    // Gzipped: a month of a few thousand entries stays far below DynamoDB's 400 KB per item.
    const entries = posts ? { posts: gzipSync(JSON.stringify(posts)) } : {};
    await table.doc.send(
      new PutCommand({ TableName: table.name, Item: { pk: 'MONTH', sk: month, count, ...entries } }),
    );
  },
});
