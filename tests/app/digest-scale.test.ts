import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecipientBatch } from '../../functions/app/ports.ts';
import { MailThrottledError } from '../../functions/core/errors.ts';
import { type DigestHarness, startDigestHarness } from '../support/digest-harness.ts';

/*
 * A 10,000-address list against the DynamoDB stand-in: two senders working the queue at once, a share of the
 * batches delivered twice (SQS is at-least-once), and SES throttling one call in ten. Every subscriber must be
 * mailed exactly once and the digest record must add up. The throttling is injected in the mailer (no stand-in
 * throttles); everything else is the real store over HTTP.
 */
describe('a 10,000-subscriber digest', () => {
  let h: DigestHarness;
  let confirmed: string[];
  beforeAll(async () => {
    h = await startDigestHarness();
    await h.publish({ id: 'one' });
    await h.publish({ id: 'two' });
    confirmed = await h.addSubscribers(10_000);
    await h.addSubscribers(200, 'unsubscribed', 'left');
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('mails every confirmed subscriber exactly once', async () => {
    const [plan] = await h.plan();
    const batches = h.queued.splice(0);
    // Every seventh batch arrives twice, the second time while the first may still be running.
    const deliveries: RecipientBatch[] = batches.flatMap((batch, i) => (i % 7 === 0 ? [batch, batch] : [batch]));
    let call = 0;
    const mailer = {
      send: async (message: { to: string; from: string; raw: Uint8Array }) => {
        if (++call % 10 === 0) throw new MailThrottledError('Maximum sending rate exceeded.');
        h.sent.push(message);
        return { messageId: `m-${call}` };
      },
    };
    const worker = async () => {
      for (let batch = deliveries.shift(); batch; batch = deliveries.shift()) {
        const result = await h.send(batch, { mailer });
        if (result.retryLater.length > 0) deliveries.push(batch);
      }
    };

    await Promise.all([worker(), worker()]);

    const received = h.receivedBy();
    expect(received.size).toBe(10_000);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    expect([...received.keys()].sort()).toEqual([...confirmed].sort());
    expect(await h.ledger.getDigest(plan?.id as string)).toMatchObject({
      status: 'sent',
      recipients: 10_000,
      sent: 10_000,
      failed: 0,
      skipped: 0,
      uncertain: 0,
    });
  }, 240_000);
});
