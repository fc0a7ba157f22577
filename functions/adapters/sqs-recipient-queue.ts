import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { RecipientBatch, RecipientQueue } from '../app/ports.ts';
import { FeedmailError } from '../core/errors.ts';

/** SendMessageBatch takes at most ten messages. */
const SQS_BATCH = 10;
const ATTEMPTS = 5;

/**
 * Puts recipient batches on the digest queue, ten per request. Entries SQS reports as failed are sent again a
 * few times; a batch sent twice is harmless (the delivery claims stop the duplicate).
 */
export const createSqsRecipientQueue = (options: { queueUrl: string; client?: SQSClient }): RecipientQueue => {
  const client = options.client ?? new SQSClient({});
  const sendTen = async (batches: readonly RecipientBatch[]): Promise<void> => {
    let pending = batches.map((batch, i) => ({ Id: String(i), MessageBody: JSON.stringify(batch) }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const { Failed = [] } = await client.send(
        new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: pending }),
      );
      const failed = new Set(Failed.map((entry) => entry.Id));
      pending = pending.filter((entry) => failed.has(entry.Id));
      if (pending.length > 0 && attempt >= ATTEMPTS) {
        throw new FeedmailError(`SQS refused ${pending.length} digest batch(es): ${Failed[0]?.Message ?? ''}`);
      }
    }
  };
  return {
    send: async (batches) => {
      for (let i = 0; i < batches.length; i += SQS_BATCH) await sendTen(batches.slice(i, i + SQS_BATCH));
    },
  };
};
