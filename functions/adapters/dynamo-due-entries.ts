import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { DueEntries } from '../app/ports.ts';
import type { StateTable } from './dynamo-table.ts';

/**
 * Scheduled posts and expiries in the state table, for the timer:
 *
 * | pk    | sk                      | what                                                  |
 * |-------|-------------------------|-------------------------------------------------------|
 * | `DUE` | `<instant>#<source>`    | a source whose state changes at that instant          |
 *
 * Written by the source index with the record that has the `dueAt` (see dynamo-source-index.ts).
 */
export const dueEntryItem = (sourcePath: string, dueAt: string): Record<string, unknown> => ({
  ...dueEntryKey(sourcePath, dueAt),
  sourcePath,
  dueAt,
});

const dueEntryKey = (sourcePath: string, dueAt: string) => ({ pk: 'DUE', sk: `${dueAt}#${sourcePath}` });

const dueItemSchema = z.object({ sourcePath: z.string(), dueAt: z.string() });

export const createDynamoDueEntries = (table: StateTable): DueEntries => ({
  async listDue(at) {
    const items = await table.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk <= :at',
      ExpressionAttributeValues: { ':pk': 'DUE', ':at': `${at}#\u{10ffff}` },
    });
    return items.map((item) => {
      const { sourcePath, dueAt } = table.parse(dueItemSchema, item);
      return { sourcePath, dueAt };
    });
  },

  async clearDue(sourcePath, dueAt) {
    await table.doc.send(new DeleteCommand({ TableName: table.name, Key: dueEntryKey(sourcePath, dueAt) }));
  },
});
