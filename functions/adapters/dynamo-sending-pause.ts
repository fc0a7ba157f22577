import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SendingPause } from '../app/ports.ts';

/**
 * The switch that holds digest sending back, one item in the state table:
 *
 * | pk        | sk      | what                                                             |
 * |-----------|---------|------------------------------------------------------------------|
 * | `SENDING` | `PAUSE` | `{ paused: true, reason, since }` while digests must not go out |
 *
 * This file is the only place that reads or writes that item: the pause function sets it when an SES reputation
 * alarm fires, the digest sender reads it before each batch, and a person clears it from the CLI. Confirmation mail
 * never looks at it, so people can still subscribe while digests wait.
 */
export const SENDING_PAUSE_KEY = { pk: 'SENDING', sk: 'PAUSE' } as const;

export interface DynamoSendingPauseOptions {
  tableName: string;
  client?: DynamoDBClient;
}

export const createDynamoSendingPause = (options: DynamoSendingPauseOptions): SendingPause => {
  const doc = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
  const TableName = options.tableName;
  return {
    async get() {
      // Strongly consistent: a batch starting right after the alarm must see the pause.
      const { Item } = await doc.send(new GetCommand({ TableName, Key: SENDING_PAUSE_KEY, ConsistentRead: true }));
      if (Item?.paused !== true) return { paused: false };
      return {
        paused: true,
        ...(typeof Item.reason === 'string' ? { reason: Item.reason } : {}),
        ...(typeof Item.since === 'string' ? { since: Item.since } : {}),
      };
    },
    async pause(reason, since) {
      await doc.send(new PutCommand({ TableName, Item: { ...SENDING_PAUSE_KEY, paused: true, reason, since } }));
    },
    async resume() {
      await doc.send(new DeleteCommand({ TableName, Key: SENDING_PAUSE_KEY }));
    },
  };
};
