import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PostArchive } from '../app/ports.ts';
import type { MonthRef } from '../core/types.ts';
import { postSummaryOf, publishedPostOf } from './dynamo-source-index.ts';
import { BY_DATE_INDEX, type StateTable } from './dynamo-table.ts';

/**
 * The archive in the state table: its months, and the published posts read by date through `byDate` (the local
 * secondary index over the `SRC` rows of dynamo-source-index.ts).
 *
 * | pk      | sk        | what                                                        |
 * |---------|-----------|-------------------------------------------------------------|
 * | `MONTH` | `YYYY-MM` | post count and archive entries (gzipped) per archive month  |
 */
export const createDynamoPostArchive = (table: StateTable): PostArchive => ({
  async newestPosts(limit) {
    const items = await table.queryAll({
      IndexName: BY_DATE_INDEX,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'SRC' },
      ScanIndexForward: false,
      Limit: limit,
    });
    return items.map(publishedPostOf);
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
      ProjectionExpression: 'summary',
      ExpressionAttributeNames: { '#month': 'month' },
      ExpressionAttributeValues: { ':pk': 'SRC', ':from': from, ':to': to, ':month': month },
      ScanIndexForward: false,
    });
    return items.map(postSummaryOf);
  },

  async listMonths() {
    const items = await table.queryAll({
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
