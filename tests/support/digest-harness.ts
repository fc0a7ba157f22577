import { createDynamoDeliveries } from '../../functions/adapters/dynamo-deliveries.ts';
import { createDynamoDigestLedger } from '../../functions/adapters/dynamo-digest-ledger.ts';
import { createDynamoMailQueue } from '../../functions/adapters/dynamo-mail-queue.ts';
import { createDynamoSendingPause } from '../../functions/adapters/dynamo-sending-pause.ts';
import { createDynamoSourceIndex } from '../../functions/adapters/dynamo-source-index.ts';
import { createDynamoSubscriberStore } from '../../functions/adapters/dynamo-subscriber-store.ts';
import { openStateTable } from '../../functions/adapters/dynamo-table.ts';
import { type PlannerDeps, planDigests } from '../../functions/app/plan-digest.ts';
import type {
  CompiledForSending,
  Deliveries,
  DigestLedger,
  Mailer,
  MailQueue,
  OutgoingMessage,
  RecipientBatch,
  SourceIndex,
  SubscriberStore,
} from '../../functions/app/ports.ts';
import { type BatchResult, type SenderDeps, sendRecipientBatch } from '../../functions/app/send-digest.ts';
import type { SendQuota } from '../../functions/core/digest/pacing.ts';
import type { Subscriber, SubscriberStatus } from '../../functions/core/subscribers/subscriber.ts';
import type { PublishedPost } from '../../functions/core/types.ts';
import { type StandIns, startStandIns } from '../../functions/local/stand-ins.ts';
import { type LogLine, testSite } from './publisher-harness.ts';
import { TEST_TOKEN_KEY } from './subscription-harness.ts';

export { Crash } from './faults.ts';

/**
 * The digest planner and sender over the DynamoDB stand-in (real conditional writes over HTTP), with a queue that
 * keeps batches in memory, a clock that sleeping moves forward, and a mailer that records every message. The mail's
 * own format is tested with the real templates in tests/core/mail.
 */
export interface DigestHarness {
  standIns: StandIns;
  sources: SourceIndex;
  subscribers: SubscriberStore;
  mailQueue: MailQueue;
  ledger: DigestLedger;
  deliveries: Deliveries;
  /** Every batch put on the queue, in order (duplicates included). */
  queued: RecipientBatch[];
  /** Every message handed to the mailer that it accepted. */
  sent: OutgoingMessage[];
  logs: LogLine[];
  clock: { now: Date };
  quota: SendQuota;
  planner(overrides?: Partial<PlannerDeps>): PlannerDeps;
  plan(trigger?: Parameters<typeof planDigests>[1], overrides?: Partial<PlannerDeps>): ReturnType<typeof planDigests>;
  sender(overrides?: Partial<SenderDeps>): SenderDeps;
  send(batch: RecipientBatch, overrides?: Partial<SenderDeps>): Promise<BatchResult>;
  /** Delivers every queued batch once (as SQS would), in order, and empties the queue. */
  drain(overrides?: Partial<SenderDeps>): Promise<BatchResult[]>;
  /** How many messages each address received. */
  receivedBy(): Map<string, number>;
  publish(
    post: Partial<PublishedPost> & { id: string },
    options?: { at?: string; status?: 'published' | 'deleted' },
  ): Promise<void>;
  addSubscribers(count: number, status?: SubscriberStatus, prefix?: string): Promise<string[]>;
  close(): Promise<void>;
}

const compiledFor = (subject: string): CompiledForSending => ({
  entry: 'digest.mjml',
  subject,
  html: '<p>Posts</p><a href="{{unsubscribeUrl}}">Unsubscribe</a>',
  text: 'Posts\nUnsubscribe: {{unsubscribeUrl}}',
  placeholders: ['unsubscribeUrl'],
});

export const startDigestHarness = async (
  site = testSite({
    mail: { from: 'news@notes.example', postalAddress: '1 Test Street, Testville' },
  }),
): Promise<DigestHarness> => {
  const standIns = await startStandIns();
  const client = standIns.dynamo;
  const subscribers = createDynamoSubscriberStore({ tableName: standIns.tableName, client });
  const table = openStateTable({ tableName: standIns.tableName, client });
  const mailQueue = createDynamoMailQueue(table);
  const ledger = createDynamoDigestLedger(table);
  const deliveries = createDynamoDeliveries(table, { shards: subscribers.shards });
  const sources = createDynamoSourceIndex(table);
  const queued: RecipientBatch[] = [];
  const sent: OutgoingMessage[] = [];
  const logs: LogLine[] = [];
  const clock = { now: new Date('2026-11-23T07:00:00Z') };
  const quota: SendQuota = { maxSendRate: 1000, max24HourSend: -1, sentLast24Hours: 0 };
  const log =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      logs.push({ level, message, fields });
  const logger = { info: log('info'), warn: log('warn'), error: log('error') };
  const mailer: Mailer = {
    send: async (message) => {
      sent.push(message);
      return { messageId: `m-${sent.length}` };
    },
  };
  let invocation = 0;

  const planner = (overrides: Partial<PlannerDeps> = {}): PlannerDeps => ({
    mailQueue,
    ledger,
    sources,
    subscribers,
    queue: { send: async (batches) => void queued.push(...batches) },
    pause: createDynamoSendingPause({ tableName: standIns.tableName, client }),
    site,
    compile: async (content) => compiledFor(`${content.posts.length} new posts`),
    now: () => clock.now,
    log: logger,
    ...overrides,
  });
  const sender = (overrides: Partial<SenderDeps> = {}): SenderDeps => ({
    ledger,
    deliveries,
    subscribers,
    mailer,
    // As SES counts them: what this harness sent is part of the last 24 hours.
    quota: async () => ({ ...quota, sentLast24Hours: quota.sentLast24Hours + sent.length }),
    pause: createDynamoSendingPause({ tableName: standIns.tableName, client }),
    concurrency: 1,
    site,
    tokenKey: TEST_TOKEN_KEY,
    compose: async (compiled, to, unsubscribeUrl) => ({
      from: 'news@notes.example',
      to: to.address,
      raw: new TextEncoder().encode(`To: ${to.address}\r\nSubject: ${compiled.subject}\r\n\r\n${unsubscribeUrl}\r\n`),
    }),
    owner: `invocation-${++invocation}`,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now = new Date(clock.now.getTime() + ms);
    },
    random: () => 0.5,
    log: logger,
    ...overrides,
  });

  const harness: DigestHarness = {
    standIns,
    sources,
    subscribers,
    mailQueue,
    ledger,
    deliveries,
    queued,
    sent,
    logs,
    clock,
    quota,
    planner,
    plan: (trigger = { scheduledTime: clock.now.toISOString() }, overrides = {}) =>
      planDigests(planner(overrides), trigger),
    sender,
    send: (batch, overrides = {}) => sendRecipientBatch(sender(overrides), batch),
    drain: async (overrides = {}) => {
      const results: BatchResult[] = [];
      while (queued.length > 0) {
        const batch = queued.shift() as RecipientBatch;
        results.push(await sendRecipientBatch(sender(overrides), batch));
      }
      return results;
    },
    receivedBy: () => {
      const counts = new Map<string, number>();
      for (const message of sent) counts.set(message.to, (counts.get(message.to) ?? 0) + 1);
      return counts;
    },
    publish: async (fields, options = {}) => {
      const sourcePath = fields.sourcePath ?? `${fields.id}.md`;
      const post: PublishedPost = {
        sourcePath,
        slug: fields.id,
        url: `https://notes.example/posts/${fields.id}/`,
        title: `Post ${fields.id}`,
        date: '2026-11-20T10:00:00.000Z',
        summary: `About ${fields.id}.`,
        html: `<p>Body of ${fields.id}.</p>`,
        tags: [],
        categories: [],
        authors: [],
        ...fields,
      };
      const previous = await sources.getSource(sourcePath);
      await sources.putSource({
        sourcePath,
        version: (previous?.version ?? 0) + 1,
        status: options.status ?? 'published',
        post,
        claims: [],
        problems: [],
      });
      if ((options.status ?? 'published') === 'published') {
        await mailQueue.queuePost({ feedId: post.id, sourcePath, queuedAt: options.at ?? clock.now.toISOString() });
      }
    },
    addSubscribers: async (count, status = 'confirmed', prefix = 'reader') => {
      const keys = Array.from({ length: count }, (_, i) => `${prefix}${i}@example.org`);
      // Fifty writes in flight at a time: enough to be quick, few enough for the stand-in.
      for (let start = 0; start < keys.length; start += 50) {
        await Promise.all(
          keys.slice(start, start + 50).map((key) => {
            const record: Subscriber = {
              key,
              address: key,
              status,
              subscribedAt: '2026-01-01T00:00:00.000Z',
              subscribedVia: 'form',
              version: 1,
            };
            return subscribers.save(record);
          }),
        );
      }
      return keys;
    },
    close: () => standIns.close(),
  };
  return harness;
};
