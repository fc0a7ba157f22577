import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SubscribeRequests } from '../app/ports.ts';

/**
 * Puts subscribe requests on the confirmation queue, one message each. The SDK's own retries are kept: a request
 * queued twice is harmless, since the first to be decided claims the address's cooldown and the second sends nothing.
 */
export const createSqsSubscribeRequests = (options: { queueUrl: string; client?: SQSClient }): SubscribeRequests => {
  const client = options.client ?? new SQSClient({});
  return {
    submit: async (request) => {
      await client.send(new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: JSON.stringify(request) }));
    },
  };
};
