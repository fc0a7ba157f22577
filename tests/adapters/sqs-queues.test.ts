import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqsRecipientQueue } from '../../functions/adapters/sqs-recipient-queue.ts';
import { createSqsSubscribeRequests } from '../../functions/adapters/sqs-subscribe-requests.ts';

/*
 * Both SQS adapters through the real SDK over HTTP, against a few lines that answer SQS's JSON protocol (there is
 * no SQS stand-in among our dependencies): what goes on the wire, and the MD5 of each body, which the SDK checks.
 * The server can be told to refuse entries of a batch, as SQS does under load.
 */
interface Call {
  target: string;
  body: Record<string, unknown>;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

describe('SQS adapters', () => {
  let server: Server;
  let client: SQSClient;
  let calls: Call[];
  let refuseFirstEntries: number;
  const queueUrl = 'http://localhost/000000000000/requests';

  beforeEach(async () => {
    calls = [];
    refuseFirstEntries = 0;
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        const body = JSON.parse(text) as Record<string, unknown>;
        calls.push({ target, body });
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        if (target === 'AmazonSQS.SendMessage') {
          response.end(JSON.stringify({ MessageId: 'm-1', MD5OfMessageBody: md5(String(body.MessageBody)) }));
          return;
        }
        const entries = body.Entries as { Id: string; MessageBody: string }[];
        const refused = entries.slice(0, refuseFirstEntries);
        refuseFirstEntries = 0;
        response.end(
          JSON.stringify({
            Successful: entries
              .filter((entry) => !refused.includes(entry))
              .map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: md5(entry.MessageBody) })),
            Failed: refused.map((entry) => ({
              Id: entry.Id,
              SenderFault: false,
              Code: 'InternalError',
              Message: 'try again',
            })),
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new SQSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterEach(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('puts one subscribe request on the queue as one JSON message', async () => {
    // Prepare
    const requests = createSqsSubscribeRequests({ queueUrl, client });
    const request = {
      address: 'Ada@example.org',
      key: 'ada@example.org',
      via: 'form' as const,
      requestedAt: '2026-11-21T10:00:00.000Z',
    };

    // Act
    await requests.submit(request);

    // Assess
    expect(calls).toHaveLength(1);
    expect(calls[0]?.target).toBe('AmazonSQS.SendMessage');
    expect(calls[0]?.body.QueueUrl).toBe(queueUrl);
    expect(JSON.parse(String(calls[0]?.body.MessageBody))).toEqual(request);
  });

  it('sends recipient batches ten to a request, and sends again the entries SQS refused', async () => {
    // Prepare
    const queue = createSqsRecipientQueue({ queueUrl, client });
    const batches = Array.from({ length: 12 }, (_, index) => ({
      digestId: '2026-11-23T07:00Z',
      batchId: `b${index}`,
      keys: [`reader${index}@example.org`],
    }));
    refuseFirstEntries = 2;

    // Act
    await queue.send(batches);

    // Assess: 10 (2 refused) + those 2 again + the last 2
    expect(calls.map((call) => (call.body.Entries as unknown[]).length)).toEqual([10, 2, 2]);
    const delivered = calls.flatMap((call) =>
      (call.body.Entries as { MessageBody: string }[]).map((entry) => JSON.parse(entry.MessageBody)),
    );
    expect(new Set(delivered.map((batch) => batch.batchId))).toEqual(new Set(batches.map((batch) => batch.batchId)));
  });
});
