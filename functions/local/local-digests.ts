/**
 * Digests on the local run: the same planner and sender handlers the stack deploys, with the recipient queue held
 * in memory (each batch delivered to the sender, and delivered again when it reports a failure, as SQS does) and
 * SES replaced by the outbox. The stand-in's sending rate is generous; the quota never runs out.
 */
import type { SQSEvent } from 'aws-lambda';
import { createDynamoDeliveries } from '../adapters/dynamo-deliveries.ts';
import { createDynamoDigestLedger } from '../adapters/dynamo-digest-ledger.ts';
import { createDynamoMailQueue } from '../adapters/dynamo-mail-queue.ts';
import { createDynamoSendingPause } from '../adapters/dynamo-sending-pause.ts';
import { createDynamoSourceIndex } from '../adapters/dynamo-source-index.ts';
import { createDynamoSubscriberStore } from '../adapters/dynamo-subscriber-store.ts';
import { openStateTable } from '../adapters/dynamo-table.ts';
import type { Logger } from '../app/logger.ts';
import { type NextDigest, type PlannerDeps, type PlanResult, previewNextDigest } from '../app/plan-digest.ts';
import type { DigestLedger, Mailer, MailQueue, RecipientBatch } from '../app/ports.ts';
import { compileDigestMail } from '../core/mail/digest-mail.ts';
import { buildDigestMessage } from '../core/mail/digest-message.ts';
import { personalizeMail } from '../core/mail/personalize.ts';
import { apiUrl } from '../core/subscribers/links.ts';
import type { SiteConfig } from '../core/types.ts';
import { createPlanHandler, createSendHandler } from '../handlers/create-digest-handlers.ts';
import type { DigestPreview } from './outbox.ts';
import type { LocalStandIns } from './stand-ins.ts';

/** SES stand-in limits for the local run: fast, and no daily cap. */
const LOCAL_QUOTA = { maxSendRate: 50, max24HourSend: -1, sentLast24Hours: 0 };
/** Deliveries of one batch before it is left aside, as the queue's redrive policy does. */
const MAX_RECEIVES = 5;

export interface LocalDigests {
  mailQueue: MailQueue;
  ledger: DigestLedger;
  /**
   * The digest the next run would send, from the real planner's choice and without changing anything, as a sample
   * reader would get it (for `/_outbox/next`); or why there is none.
   */
  preview(): Promise<DigestPreview>;
  /** Plans the digest of `scheduledTime` (default now) and sends every batch; resolves when the queue is empty. */
  run(scheduledTime?: string): Promise<{ plans: PlanResult[]; deadLetters: RecipientBatch[] }>;
}

export const createLocalDigests = (options: {
  standIns: LocalStandIns;
  site: SiteConfig;
  mailer: Mailer;
  tokenKey: Uint8Array;
  mailTemplates: Readonly<Record<string, string>>;
  log: Logger;
}): LocalDigests => {
  const { standIns, site, log } = options;
  const client = standIns.dynamo;
  const subscribers = createDynamoSubscriberStore({ tableName: standIns.tableName, client });
  const table = openStateTable({ tableName: standIns.tableName, client });
  const mailQueue = createDynamoMailQueue(table);
  const ledger = createDynamoDigestLedger(table);
  const queue: RecipientBatch[] = [];
  const plannerDeps: PlannerDeps = {
    mailQueue,
    ledger,
    sources: createDynamoSourceIndex(table),
    subscribers,
    queue: { send: async (batches) => void queue.push(...batches) },
    pause: createDynamoSendingPause({ tableName: standIns.tableName, client }),
    site,
    compile: (content) => compileDigestMail({ files: options.mailTemplates, site, content, now: new Date() }),
    now: () => new Date(),
    log,
  };
  const plan = createPlanHandler(plannerDeps);
  const send = createSendHandler({
    ledger,
    deliveries: createDynamoDeliveries(table, { shards: subscribers.shards }),
    subscribers,
    mailer: options.mailer,
    quota: async () => LOCAL_QUOTA,
    pause: createDynamoSendingPause({ tableName: standIns.tableName, client }),
    concurrency: 1,
    site,
    tokenKey: options.tokenKey,
    compose: (compiled, to, unsubscribeUrl, now) => buildDigestMessage({ site, compiled, to, unsubscribeUrl, now }),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    log,
  });

  return {
    mailQueue,
    ledger,
    preview: async () => describeNext(await previewNextDigest(plannerDeps), site),
    run: async (scheduledTime) => {
      const plans = await plan(scheduledTime ? { scheduledTime } : {});
      const receives = new Map<RecipientBatch, number>();
      const deadLetters: RecipientBatch[] = [];
      for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
        const event = { Records: [{ messageId: crypto.randomUUID(), body: JSON.stringify(batch) }] } as SQSEvent;
        const { batchItemFailures } = await send(event);
        if (batchItemFailures.length === 0) continue;
        const count = (receives.get(batch) ?? 0) + 1;
        receives.set(batch, count);
        if (count < MAX_RECEIVES) queue.push(batch);
        else deadLetters.push(batch);
      }
      return { plans, deadLetters };
    },
  };
};

const SEND_NOW = 'npm run cli -- digest send';

/** What `/_outbox/next` says of the planner's answer, with the mail personalised for a sample reader. */
const describeNext = (next: NextDigest, site: SiteConfig): DigestPreview => {
  switch (next.status) {
    case 'paused':
      return {
        note:
          `Digest sending is paused${next.since ? ` since ${next.since}` : ''}${next.reason ? ` (${next.reason})` : ''}: ` +
          'nothing is planned until it is resumed with npm run cli -- digest resume.',
      };
    case 'empty':
      return { note: 'No new posts since the last digest: the next one waits until a post is published.' };
    case 'waiting':
      return {
        note:
          `${next.posts} new post(s), fewer than digest.minPosts (${next.minPosts}) in site.config.json: ` +
          'the next digest waits for more.',
      };
    case 'ready': {
      // A token no list holds: the preview's unsubscribe link has the right shape but unsubscribes no one.
      const unsubscribeUrl = apiUrl(site, 'unsubscribe', 'preview');
      const { html, text } = personalizeMail(next.compiled, { unsubscribeUrl, recipientName: 'Sample Reader' });
      const when =
        site.digest.cadence === 'immediate' ? 'as soon as the planner runs' : `at the next ${site.digest.cadence} slot`;
      return {
        note:
          `What confirmed subscribers would get ${when}, as the planner chooses it now (nothing is planned or sent ` +
          `by this page). Sent to a sample reader; its unsubscribe link works for no one. Send it now with ${SEND_NOW}.`,
        mail: { subject: next.compiled.subject, posts: next.posts, html, text },
      };
    }
  }
};
