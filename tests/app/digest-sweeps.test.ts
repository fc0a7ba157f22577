import { afterEach, describe, expect, it } from 'vitest';
import { shardOf } from '../../functions/adapters/dynamo-subscriber-store.ts';
import { planDigests } from '../../functions/app/plan-digest.ts';
import type { Delivery, RecipientBatch } from '../../functions/app/ports.ts';
import { type BatchResult, sendRecipientBatch } from '../../functions/app/send-digest.ts';
import { type DigestHarness, startDigestHarness } from '../support/digest-harness.ts';
import {
  Crash,
  type CrashPoint,
  crashPointsOf,
  describePoint,
  FaultInjector,
  type InterleavePolicy,
  Interleaver,
  pausePolicy,
  randomPolicy,
  SWEEP_TIMEOUT_MS,
  sampleOf,
  seededRandom,
  sweepSeed,
} from '../support/faults.ts';

/*
 * Sweeps of the exactly-once promise of digests, against the DynamoDB stand-in:
 * - a crash at every port call of a whole digest (planner, then every batch), each followed by the retries AWS
 *   makes (Scheduler retries the planner; SQS delivers a batch again after its visibility timeout, which is
 *   longer than a delivery's lease), then the invariants: each confirmed subscriber mailed at most once, and once
 *   unless the delivery is `uncertain` (the sender died between marking it `sending` and settling it: SES may
 *   have sent it, so it is never resent, as the README says); no delivery left claimed or sending; the digest
 *   `sent` with counts that match its deliveries; every post in it.
 * - two senders, and two planners, interleaved one port call at a time at every pair of steps (or a seeded
 *   sample of them where the pairs are many).
 * The crash points of a large scenario are sampled (SWEEP=full runs them all); the seed of the sample is printed
 * with any failure and SWEEP_SEED=<seed> repeats it.
 */
const LEASE_MS = 2 * 60 * 1000;
const SLOT = { scheduledTime: '2026-11-23T07:00:00Z' };
const DIGEST_ID = '2026-11-23T07:00Z';
const SEED = sweepSeed();

/** Addresses that land in different shards (one batch each), or all in one shard (one batch between them). */
const keysIn = (count: number, sameShard: boolean): string[] => {
  const keys: string[] = [];
  const shards = new Set<string>();
  for (let i = 0; keys.length < count; i++) {
    const key = `reader${i}@example.org`;
    const shard = shardOf(key);
    if (sameShard ? keys.length > 0 && !shards.has(shard) : shards.has(shard)) continue;
    keys.push(key);
    shards.add(shard);
  }
  return keys;
};

const addConfirmed = async (h: DigestHarness, keys: readonly string[]) => {
  for (const key of keys) {
    await h.subscribers.save({
      key,
      address: key,
      status: 'confirmed',
      subscribedAt: '2026-01-01T00:00:00.000Z',
      subscribedVia: 'form',
      version: 1,
    });
  }
};

const deliveriesOf = async (h: DigestHarness, digestId: string): Promise<Delivery[]> => {
  const all: Delivery[] = [];
  for await (const page of h.deliveries.listDeliveries(digestId)) all.push(...page);
  return all;
};

/**
 * What must hold after a digest to `mailed` (and nobody else) has run to the end, whatever died on the way.
 * Returns the broken ones, so a sweep can report every crash point that breaks something.
 */
const brokenInvariants = async (
  h: DigestHarness,
  digestId: string,
  expected: { mailed: readonly string[]; skipped: readonly string[]; feedIds?: readonly string[] },
): Promise<string[]> => {
  const broken: string[] = [];
  const received = h.receivedBy();
  const deliveries = await deliveriesOf(h, digestId);
  const stateOf = new Map(deliveries.map((d) => [d.key, d.state]));
  for (const key of expected.mailed) {
    const count = received.get(key) ?? 0;
    if (count > 1) broken.push(`${key} was mailed ${count} times`);
    if (count === 0 && stateOf.get(key) !== 'uncertain') broken.push(`${key} was never mailed (${stateOf.get(key)})`);
  }
  for (const key of expected.skipped) {
    if (received.has(key)) broken.push(`${key} was mailed after unsubscribing`);
  }
  const stuck = deliveries.filter((d) => d.state === 'claimed' || d.state === 'sending');
  if (stuck.length > 0) broken.push(`deliveries stuck: ${stuck.map((d) => `${d.key}=${d.state}`).join(', ')}`);
  const record = await h.ledger.getDigest(digestId);
  const count = (state: Delivery['state']) => deliveries.filter((d) => d.state === state).length;
  const want = {
    status: 'sent',
    recipients: expected.mailed.length + expected.skipped.length,
    sent: count('sent'),
    failed: count('failed'),
    skipped: count('skipped'),
    uncertain: count('uncertain'),
  };
  const got = {
    status: record?.status,
    recipients: record?.recipients,
    sent: record?.sent,
    failed: record?.failed,
    skipped: record?.skipped,
    uncertain: record?.uncertain,
  };
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    broken.push(`digest record ${JSON.stringify(got)}, deliveries say ${JSON.stringify(want)}`);
  }
  if (expected.feedIds && JSON.stringify([...(record?.feedIds ?? [])].sort()) !== JSON.stringify(expected.feedIds)) {
    broken.push(`digest carries ${JSON.stringify(record?.feedIds)}, not ${JSON.stringify(expected.feedIds)}`);
  }
  if ((await h.ledger.listUnfinished()).length > 0) broken.push('a digest is left planning or queueing');
  return broken;
};

/** The planner's and senders' ports, every call going through `wrap`. */
const wrappedPorts = (h: DigestHarness, wrap: <T extends object>(name: string, port: T) => T) => ({
  planner: {
    mailQueue: wrap('mailQueue', h.mailQueue),
    ledger: wrap('ledger', h.ledger),
    sources: wrap('sources', h.sources),
    subscribers: wrap('subscribers', h.subscribers),
    queue: wrap('queue', { send: async (batches: readonly RecipientBatch[]) => void h.queued.push(...batches) }),
    pause: wrap('pause', h.planner().pause),
  },
  sender: {
    ledger: wrap('ledger', h.ledger),
    deliveries: wrap('deliveries', h.deliveries),
    subscribers: wrap('subscribers', h.subscribers),
    mailer: wrap('mailer', h.sender().mailer),
    pause: wrap('pause', h.sender().pause),
  },
});

describe('digest crash sweep', () => {
  let h: DigestHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const mailed = keysIn(3, false);
  const leaving = keysIn(4, false)[3] as string;

  /**
   * One whole digest, as AWS would run it: the planner (retried by Scheduler until it completes), one reader
   * leaving, then every batch the planner queued (a batch that crashed, or left recipients for later, comes back
   * after its visibility timeout). Returns the harness to check.
   */
  const runDigest = async (faults: FaultInjector, point: CrashPoint | undefined): Promise<DigestHarness> => {
    const harness = await startDigestHarness();
    h = harness;
    await harness.publish({ id: 'one' });
    await harness.publish({ id: 'two' });
    await addConfirmed(harness, [...mailed, leaving]);
    faults.arm(point);
    const ports = wrappedPorts(harness, (name, port) => faults.wrap(name, port));
    const invoke = async (run: () => Promise<unknown>): Promise<unknown> => {
      faults.nextInvocation();
      try {
        return await run();
      } catch (error) {
        if (error instanceof Crash) return error;
        throw error;
      }
    };
    for (let attempt = 0; (await invoke(() => planDigests(harness.planner(ports.planner), SLOT))) instanceof Crash; ) {
      if (++attempt > 3) throw new Error('the planner kept crashing');
    }
    const current = await harness.subscribers.get(leaving);
    if (current) await harness.subscribers.save({ ...current, status: 'unsubscribed', version: current.version + 1 });

    const queue = harness.queued.splice(0).map((batch) => ({ batch, again: false }));
    for (let turns = 0; queue.length > 0; turns++) {
      if (turns > 50) throw new Error('batches kept coming back');
      const { batch, again } = queue.shift() as { batch: RecipientBatch; again: boolean };
      // SQS hands a batch back after its visibility timeout, longer than a delivery's lease.
      if (again) harness.clock.now = new Date(harness.clock.now.getTime() + LEASE_MS + 1000);
      const result = await invoke(() => sendRecipientBatch(harness.sender(ports.sender), batch));
      if (result instanceof Crash || (result as { retryLater: string[] }).retryLater.length > 0) {
        queue.push({ batch, again: true });
      }
      queue.push(...harness.queued.splice(0).map((queued) => ({ batch: queued, again: false })));
    }
    return harness;
  };

  it(
    'keeps every promise whichever port call the planner or a sender dies at',
    async () => {
      const faults = new FaultInjector();
      await runDigest(faults, undefined);
      const calls = [...faults.calls];
      await h?.close();
      h = undefined;

      const points = sampleOf(crashPointsOf(calls), 40, seededRandom(SEED));
      const failures: string[] = [];
      for (const point of points) {
        const harness = await runDigest(faults, point);
        const broken = await brokenInvariants(harness, DIGEST_ID, {
          mailed,
          skipped: [leaving],
          feedIds: ['one', 'two'],
        });
        if (!faults.crashed && faults.calls.length <= point.at) broken.push('the crash point was never reached');
        if (broken.length > 0) failures.push(`crash ${describePoint(point, calls)}: ${broken.join('; ')}`);
        await harness.close();
        h = undefined;
      }
      expect(failures, `seed ${SEED}: ${points.length} of ${crashPointsOf(calls).length} crash points`).toEqual([]);
      expect(calls.length).toBeGreaterThan(40);
    },
    SWEEP_TIMEOUT_MS,
  );
});

/** Every pair (i, j): worker 0 makes i calls, worker 1 makes j, then each finishes (0 first). */
const everyPause = (steps: readonly number[]): [number, number][] =>
  Array.from({ length: (steps[0] ?? 0) + 1 }, (_, i) =>
    Array.from({ length: (steps[1] ?? 0) + 1 }, (_, j): [number, number] => [i, j]),
  ).flat();

describe('digest interleavings', () => {
  let h: DigestHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /**
   * Two senders, each given a batch of one planned digest, interleaved under every pause policy. Each schedule
   * sends a copy of the digest under its own id, so the schedules share the harness but no state.
   */
  const sweepTwoSenders = async (
    keys: readonly string[],
    batchesFor: (batches: RecipientBatch[]) => RecipientBatch[],
  ) => {
    const harness = await startDigestHarness();
    h = harness;
    await harness.publish({ id: 'one' });
    await addConfirmed(harness, keys);
    await harness.plan(SLOT);
    const planned = harness.queued.splice(0);
    const record = await harness.ledger.getDigest(DIGEST_ID);
    if (!record) throw new Error('the digest was not planned');
    const interleaver = new Interleaver();
    let copies = 0;
    const runSchedule = async (policy: InterleavePolicy): Promise<string[]> => {
      const id = `${DIGEST_ID}#${++copies}`;
      await harness.ledger.openDigest({ ...record, id });
      harness.sent.length = 0;
      const batches = batchesFor(planned).map((batch) => ({ ...batch, digestId: id }));
      const workers = batches.map((batch, worker) => {
        const ports = wrappedPorts(harness, (_name, port) => interleaver.wrap(worker, port));
        return () => sendRecipientBatch(harness.sender(ports.sender), batch as RecipientBatch);
      });
      const results = await interleaver.run(workers, policy);
      const broken = results.flatMap((r) => (r.status === 'rejected' ? [`a sender threw ${String(r.reason)}`] : []));
      // A sender that left recipients to a live claim of the other has its batch back from SQS after the lease.
      harness.clock.now = new Date(harness.clock.now.getTime() + LEASE_MS + 1000);
      for (const [i, result] of results.entries()) {
        if (result.status === 'fulfilled' && (result.value as BatchResult).retryLater.length > 0) {
          await harness.send(batches[i] as RecipientBatch);
        }
      }
      return [...broken, ...(await brokenInvariants(harness, id, { mailed: keys, skipped: [] }))];
    };
    expect(await runSchedule(pausePolicy(Infinity, Infinity))).toEqual([]);
    const pairs = everyPause(interleaver.steps);
    const failures: string[] = [];
    for (const [i, j] of pairs) {
      const broken = await runSchedule(pausePolicy(i, j));
      if (broken.length > 0) failures.push(`sender A paused after ${i} calls, B ran ${j}: ${broken.join('; ')}`);
    }
    expect(failures, `${pairs.length} schedules`).toEqual([]);
    return pairs.length;
  };

  it(
    'finishes the digest whichever steps two senders completing its last two batches overlap at',
    async () => {
      const schedules = await sweepTwoSenders(keysIn(2, false), (batches) => batches);
      expect(schedules).toBeGreaterThan(50);
    },
    SWEEP_TIMEOUT_MS,
  );

  it(
    'mails each recipient once when SQS hands one batch to two senders at once, at every overlap',
    async () => {
      const schedules = await sweepTwoSenders(
        keysIn(2, true),
        (batches) => [batches[0], batches[0]] as RecipientBatch[],
      );
      expect(schedules).toBeGreaterThan(50);
    },
    SWEEP_TIMEOUT_MS,
  );

  it(
    'plans one digest, and mails each subscriber once, when two planners of one slot interleave',
    async () => {
      const keys = keysIn(3, false);
      const random = seededRandom(SEED);
      const interleaver = new Interleaver();
      const runSchedule = async (policy: InterleavePolicy): Promise<string[]> => {
        await h?.close();
        const harness = await startDigestHarness();
        h = harness;
        await harness.publish({ id: 'one' });
        await harness.publish({ id: 'two' });
        await addConfirmed(harness, keys);
        const workers = [0, 1].map((worker) => {
          const ports = wrappedPorts(harness, (_name, port) => interleaver.wrap(worker, port));
          return () => planDigests(harness.planner(ports.planner), SLOT);
        });
        const results = await interleaver.run(workers, policy);
        await harness.drain();
        const digests = await harness.ledger.listDigests(10);
        return [
          ...results.flatMap((r) => (r.status === 'rejected' ? [`a planner threw ${String(r.reason)}`] : [])),
          ...(digests.length === 1 ? [] : [`${digests.length} digests: ${digests.map((d) => d.id).join(', ')}`]),
          ...(await brokenInvariants(harness, DIGEST_ID, { mailed: keys, skipped: [], feedIds: ['one', 'two'] })),
        ];
      };
      expect(await runSchedule(pausePolicy(Infinity, Infinity))).toEqual([]);
      const schedules: [string, InterleavePolicy][] = [
        ...sampleOf(everyPause(interleaver.steps), 30, random).map(([i, j]): [string, InterleavePolicy] => [
          `planner A paused after ${i} calls, B ran ${j}`,
          pausePolicy(i, j),
        ]),
        ...Array.from({ length: 10 }, (_, n): [string, InterleavePolicy] => [
          `random interleaving ${n}`,
          randomPolicy(random),
        ]),
      ];
      const failures: string[] = [];
      for (const [name, policy] of schedules) {
        const broken = await runSchedule(policy);
        if (broken.length > 0) failures.push(`${name}: ${broken.join('; ')}`);
      }
      expect(failures, `seed ${SEED}`).toEqual([]);
    },
    SWEEP_TIMEOUT_MS,
  );
});
