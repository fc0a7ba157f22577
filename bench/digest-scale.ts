import { startDigestHarness } from '../tests/support/digest-harness.ts';
import { sendUnderStress } from '../tests/support/digest-stress.ts';

export interface StressedDigestMeasurement {
  recipients: number;
  batches: number;
  mailerCalls: number;
  throttled: number;
  /** Confirmed subscribers mailed more than once, not at all, and addresses mailed that are not confirmed. */
  duplicates: number;
  notMailed: number;
  strangers: number;
  digest: { status: string; sent: number; recipients: number };
  /** Wall time from planning to the last batch, in ms. */
  ms: number;
}

/**
 * A digest to a large list over the DynamoDB stand-in, sent the hard way (two senders at once, every seventh batch
 * delivered twice, SES throttling one call in ten: tests/support/digest-stress.ts), timed, and checked for exactly
 * once. tests/app/digest-scale.test.ts runs the same on a small list and checks the counts only.
 */
export const measureStressedDigest = async (count = 10_000): Promise<StressedDigestMeasurement> => {
  const h = await startDigestHarness();
  try {
    await h.publish({ id: 'one' });
    await h.publish({ id: 'two' });
    const confirmed = await h.addSubscribers(count);
    await h.addSubscribers(Math.ceil(count / 50), 'unsubscribed', 'left');

    const started = performance.now();
    const [plan] = await h.plan();
    const { batches, mailerCalls, throttled } = await sendUnderStress(h);
    const ms = performance.now() - started;

    const received = h.receivedBy();
    const wanted = new Set(confirmed);
    const record = plan ? await h.ledger.getDigest(plan.id) : undefined;
    return {
      recipients: confirmed.length,
      batches: batches.length,
      mailerCalls,
      throttled,
      duplicates: [...received.values()].filter((n) => n > 1).length,
      notMailed: confirmed.filter((key) => !received.has(key)).length,
      strangers: [...received.keys()].filter((key) => !wanted.has(key)).length,
      digest: { status: record?.status ?? 'missing', sent: record?.sent ?? 0, recipients: record?.recipients ?? 0 },
      ms,
    };
  } finally {
    await h.close();
  }
};
