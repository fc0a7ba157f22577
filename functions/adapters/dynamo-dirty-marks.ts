import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { DirtyMarks } from '../app/ports.ts';
import type { StateTable } from './dynamo-table.ts';

/**
 * Outputs to re-render, in the state table:
 *
 * | pk      | sk          | what                                                   |
 * |---------|-------------|--------------------------------------------------------|
 * | `DIRTY` | output key  | an output to re-render, with the token of the latest change |
 */
const markItemSchema = z.object({ sk: z.string(), token: z.string() });

export interface DynamoDirtyMarksOptions {
  /** Random tokens for dirty marks (injectable for tests). */
  token?: () => string;
}

export const createDynamoDirtyMarks = (table: StateTable, options: DynamoDirtyMarksOptions = {}): DirtyMarks => {
  const TableName = table.name;
  const token = options.token ?? (() => crypto.randomUUID());
  return {
    async markDirty(keys) {
      for (const key of keys) {
        await table.doc.send(new PutCommand({ TableName, Item: { pk: 'DIRTY', sk: key, token: token() } }));
      }
    },

    async listDirty() {
      const items = await table.queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DIRTY' },
      });
      return items.map((item) => {
        const { sk, token } = table.parse(markItemSchema, item);
        return { key: sk, token };
      });
    },

    async clearDirty(mark) {
      await table.applied(() =>
        table.doc.send(
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
  };
};
