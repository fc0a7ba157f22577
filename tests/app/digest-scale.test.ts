import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../functions/adapters/dynamo-subscriber-store.ts';
import { BATCH_SIZE } from '../../functions/app/plan-digest.ts';
import { type DigestHarness, startDigestHarness } from '../support/digest-harness.ts';
import { sendUnderStress } from '../support/digest-stress.ts';

/*
 * A list spread over every shard, one shard holding several batches, against the DynamoDB stand-in: two senders
 * working the queue at once, a share of the batches delivered twice, and SES throttling one call in ten (see
 * tests/support/digest-stress.ts). Every subscriber must be mailed exactly once, and the batches, the mailer calls
 * and the digest record must add up. Counts only: `npm run bench` runs the same on 10,000 addresses and times it.
 */
const SPREAD = 100;
const CROWDED_SHARD = '00';
const CROWDED = BATCH_SIZE + 20;

describe('a digest to a list over every shard, one shard holding two batches', () => {
  let h: DigestHarness;
  let confirmed: string[];

  /** Confirmed subscribers whose addresses all hash to one shard. */
  const crowdShard = async (shard: string, count: number): Promise<string[]> => {
    const keys: string[] = [];
    for (let i = 0; keys.length < count; i++) {
      if (shardOf(`crowd${i}@example.org`) === shard) keys.push(`crowd${i}@example.org`);
    }
    const base = { status: 'confirmed', subscribedAt: '2026-01-01T00:00:00.000Z', subscribedVia: 'form', version: 1 };
    for (let start = 0; start < keys.length; start += 50) {
      await Promise.all(
        keys.slice(start, start + 50).map((key) => h.subscribers.save({ ...base, key, address: key } as never)),
      );
    }
    return keys;
  };

  beforeAll(async () => {
    h = await startDigestHarness();
    await h.publish({ id: 'one' });
    await h.publish({ id: 'two' });
    confirmed = [...(await h.addSubscribers(SPREAD)), ...(await crowdShard(CROWDED_SHARD, CROWDED))];
    await h.addSubscribers(20, 'unsubscribed', 'left');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('mails every confirmed subscriber exactly once, and the batches and mailer calls add up', async () => {
    // Prepare
    const perShard = new Map<string, number>();
    for (const key of confirmed) perShard.set(shardOf(key), (perShard.get(shardOf(key)) ?? 0) + 1);
    const expectedBatches = [...perShard.values()].reduce((sum, n) => sum + Math.ceil(n / BATCH_SIZE), 0);

    // Act
    const [plan] = await h.plan();
    const { batches, mailerCalls, throttled } = await sendUnderStress(h);

    // Assess
    expect(perShard.size).toBe(16);
    expect(batches).toHaveLength(expectedBatches);
    expect(batches.filter((batch) => batch.batchId.startsWith(`${CROWDED_SHARD}-`)).length).toBe(2);
    expect(batches.every((batch) => batch.keys.length <= BATCH_SIZE)).toBe(true);
    const received = h.receivedBy();
    expect([...received.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...received.keys()].sort()).toEqual([...confirmed].sort());
    // Each call to SES either sent one message or was throttled and tried again later: none went twice.
    expect(throttled).toBeGreaterThan(0);
    expect(mailerCalls).toBe(confirmed.length + throttled);
    expect(await h.ledger.getDigest(plan?.id as string)).toMatchObject({
      status: 'sent',
      recipients: confirmed.length,
      sent: confirmed.length,
      failed: 0,
      skipped: 0,
      uncertain: 0,
    });
  });
});
