import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoSendingPause } from '../../functions/adapters/dynamo-sending-pause.ts';
import { previewNextDigest } from '../../functions/app/plan-digest.ts';
import type { Deliveries, Mailer } from '../../functions/app/ports.ts';
import type { DigestContent } from '../../functions/core/digest/digest-content.ts';
import {
  MailBlockedError,
  MailOutcomeUnknownError,
  MailRejectedError,
  MailThrottledError,
} from '../../functions/core/errors.ts';
import type { Subscriber } from '../../functions/core/subscribers/subscriber.ts';
import { Crash, type DigestHarness, startDigestHarness } from '../support/digest-harness.ts';

/*
 * Exactly once, against the DynamoDB stand-in. Faults no stand-in can produce are injected by wrapping the real
 * store or mailer: a Crash thrown at a chosen call stands for the Lambda dying there (SQS then delivers the batch
 * again after its visibility timeout, which the tests do by sending the batch again after the claim lease).
 */
const LEASE_MS = 2 * 60 * 1000;

describe('digest planning and sending', () => {
  let h: DigestHarness;
  beforeEach(async () => {
    h = await startDigestHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const later = (ms: number) => {
    h.clock.now = new Date(h.clock.now.getTime() + ms);
  };
  const expectEachOnce = (keys: string[]) => {
    const received = h.receivedBy();
    expect([...received.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...received.keys()].sort()).toEqual([...keys].sort());
  };

  /** The delivery claims with one method made to crash on its `nth` call (before the call, or after it applied). */
  const crashingStore = (method: keyof Deliveries, nth: number, when: 'before' | 'after' = 'before'): Deliveries => {
    let calls = 0;
    return new Proxy(h.deliveries, {
      get(target, name, receiver) {
        const original = Reflect.get(target, name, receiver) as (...args: unknown[]) => Promise<unknown>;
        if (name !== method) return original;
        return async (...args: unknown[]) => {
          calls++;
          if (calls === nth && when === 'before') throw new Crash(`died before ${String(method)}`);
          const result = await original.apply(target, args);
          if (calls === nth && when === 'after') throw new Crash(`died after ${String(method)}`);
          return result;
        };
      },
    });
  };

  it('mails each confirmed subscriber once and nobody else, and records the digest', async () => {
    await h.publish({ id: 'one' });
    await h.publish({ id: 'two' });
    const confirmed = await h.addSubscribers(60);
    await h.addSubscribers(5, 'unsubscribed', 'gone');
    await h.addSubscribers(5, 'pending', 'maybe');
    await h.addSubscribers(5, 'suppressed', 'bounced');

    const [plan] = await h.plan();
    await h.drain();

    expectEachOnce(confirmed);
    expect(plan).toMatchObject({ status: 'sending', posts: 2, recipients: 60 });
    const record = await h.ledger.getDigest(plan?.id as string);
    expect(record).toMatchObject({ status: 'sent', recipients: 60, sent: 60, failed: 0, skipped: 0, uncertain: 0 });
    expect(record?.finishedAt).toBeDefined();
    expect(h.queued).toEqual([]);
  });

  it('plans one digest however often its slot is triggered, even at once', async () => {
    await h.publish({ id: 'one' });
    const confirmed = await h.addSubscribers(40);
    const slot = { scheduledTime: '2026-11-23T07:00:00Z' };

    await Promise.all([h.plan(slot), h.plan(slot), h.plan(slot)]);
    await h.plan(slot);
    await h.drain();

    expectEachOnce(confirmed);
    expect((await h.ledger.listDigests(10)).map((d) => d.id)).toEqual(['2026-11-23T07:00Z']);
  });

  it('mails each subscriber once when SQS delivers every batch twice, even concurrently', async () => {
    await h.publish({ id: 'one' });
    const confirmed = await h.addSubscribers(60);
    await h.plan();
    const batches = h.queued.splice(0);

    await Promise.all(batches.flatMap((batch) => [h.send(batch), h.send(batch)]));
    for (const batch of batches) await h.send(batch);

    expectEachOnce(confirmed);
    const record = await h.ledger.getDigest('2026-11-23T07:00Z');
    expect(record).toMatchObject({ status: 'sent', sent: 60 });
  });

  /** Sends every queued batch once through `deliveries`; returns the batches that crashed (SQS redelivers those). */
  const sendAll = async (deliveries: Deliveries) => {
    const crashed = [];
    for (const batch of h.queued.splice(0)) {
      try {
        await h.send(batch, { deliveries });
      } catch (error) {
        if (!(error instanceof Crash)) throw error;
        crashed.push(batch);
      }
    }
    return crashed;
  };

  it('mails a recipient whose sender died between claim and send, once, when the batch comes back', async () => {
    await h.publish({ id: 'one' });
    const confirmed = await h.addSubscribers(40);
    await h.plan();

    const crashed = await sendAll(crashingStore('markSending', 7));
    const early = await Promise.all(crashed.map((batch) => h.send(batch)));
    later(LEASE_MS + 1000);
    const afterLease = await Promise.all(crashed.map((batch) => h.send(batch)));

    expect(crashed).toHaveLength(1);
    expect(early.flatMap((r) => r.retryLater)).toHaveLength(1);
    expect(afterLease.map((r) => r.sent - r.alreadyDone)).toEqual([1]);
    expectEachOnce(confirmed);
    expect(await h.ledger.getDigest('2026-11-23T07:00Z')).toMatchObject({ status: 'sent', sent: 40, uncertain: 0 });
  });

  it('never resends a message SES accepted just before its sender died, and counts it uncertain', async () => {
    await h.publish({ id: 'one' });
    const confirmed = await h.addSubscribers(40);
    await h.plan();

    const crashed = await sendAll(crashingStore('settleDelivery', 5));
    later(LEASE_MS + 1000);
    const retried = await Promise.all(crashed.map((batch) => h.send(batch)));

    expect(crashed).toHaveLength(1);
    expectEachOnce(confirmed);
    expect(retried.map((r) => r.uncertain)).toEqual([1]);
    expect(await h.ledger.getDigest('2026-11-23T07:00Z')).toMatchObject({
      status: 'sent',
      sent: 39,
      uncertain: 1,
    });
  });

  it('finishes a digest whose planner died between batches, when the trigger comes again', async () => {
    await h.publish({ id: 'one' });
    const confirmed = await h.addSubscribers(60);
    let sends = 0;
    const flaky = {
      send: async (batches: Parameters<typeof h.queued.push>) => {
        if (++sends === 3) throw new Crash('died while queueing');
        h.queued.push(...batches);
      },
    };

    await expect(h.plan(undefined, { queue: flaky })).rejects.toThrow(Crash);
    await h.drain();
    await h.plan();
    await h.drain();

    expectEachOnce(confirmed);
    expect(await h.ledger.getDigest('2026-11-23T07:00Z')).toMatchObject({
      status: 'sent',
      recipients: 60,
      sent: 60,
    });
  });

  it('paces through throttling on a share of calls: no error reaches anyone, and each is mailed once', async () => {
    await h.publish({ id: 'one' });
    const confirmed = await h.addSubscribers(50);
    let call = 0;
    const throttling: Mailer = {
      send: async (message) => {
        // Every third call is refused as SES refuses over-rate sends.
        if (++call % 3 === 0) throw new MailThrottledError('Maximum sending rate exceeded.');
        h.sent.push(message);
        return { messageId: `m-${call}` };
      },
    };

    await h.plan();
    const results = await h.drain({ mailer: throttling });

    expectEachOnce(confirmed);
    expect(results.flatMap((r) => r.retryLater)).toEqual([]);
    expect(call).toBeGreaterThan(50);
  });

  it('records a permanent rejection without retrying it, and an unanswered send as uncertain', async () => {
    await h.publish({ id: 'one' });
    await h.addSubscribers(10);
    const attempts = new Map<string, number>();
    const picky: Mailer = {
      send: async (message) => {
        attempts.set(message.to, (attempts.get(message.to) ?? 0) + 1);
        if (message.to === 'reader3@example.org') throw new MailRejectedError('Address blacklisted.');
        if (message.to === 'reader4@example.org') throw new MailOutcomeUnknownError('socket hang up');
        h.sent.push(message);
        return { messageId: 'm' };
      },
    };

    await h.plan();
    const batches = [...h.queued];
    await h.drain({ mailer: picky });
    later(LEASE_MS + 1000);
    for (const batch of batches) await h.send(batch, { mailer: picky });

    expect(attempts.get('reader3@example.org')).toBe(1);
    expect(attempts.get('reader4@example.org')).toBe(1);
    expect(await h.ledger.getDigest('2026-11-23T07:00Z')).toMatchObject({
      status: 'sent',
      sent: 8,
      failed: 1,
      uncertain: 1,
    });
  });

  it('stops without failing anyone when SES blocks sending, and finishes once it is unblocked', async () => {
    await h.publish({ id: 'one' });
    const confirmed = await h.addSubscribers(12);
    await h.plan();
    const batches = h.queued.splice(0);
    const blocked: Mailer = { send: async () => Promise.reject(new MailBlockedError('Account sending paused.')) };

    for (const batch of batches) await expect(h.send(batch, { mailer: blocked })).rejects.toThrow(MailBlockedError);
    // SQS gives the batches back after their visibility timeout, long after the claims' leases ran out.
    later(LEASE_MS + 1000);
    for (const batch of batches) await h.send(batch);

    expectEachOnce(confirmed);
    expect(await h.ledger.getDigest('2026-11-23T07:00Z')).toMatchObject({ status: 'sent', sent: 12, failed: 0 });
  });

  it('holds every batch back while the reputation switch is on, and sends them once it is off', async () => {
    await h.publish({ id: 'one' });
    const confirmed = await h.addSubscribers(12);
    await h.plan();
    const batches = h.queued.splice(0);
    let paused = true;
    const pause = { get: async () => ({ paused, reason: 'BounceRate alarm' }) };

    const held = await Promise.all(batches.map((batch) => h.send(batch, { pause })));
    paused = false;
    for (const batch of batches) await h.send(batch, { pause });

    expect(held.flatMap((r) => r.retryLater)).toHaveLength(12);
    expectEachOnce(confirmed);
    expect(h.logs.some((l) => l.message.startsWith('digest sending is paused'))).toBe(true);
  });

  it('plans nothing while the reputation switch is on, and the posts wait for the next digest', async () => {
    await h.publish({ id: 'one' });
    await h.addSubscribers(3);
    const paused = { get: async () => ({ paused: true, reason: 'ComplaintRate alarm' }) };

    const whilePaused = await h.plan({ scheduledTime: '2026-11-23T07:00:00Z' }, { pause: paused });
    const after = await h.plan({ scheduledTime: '2026-11-30T07:00:00Z' });

    expect(whilePaused).toEqual([]);
    expect(after).toMatchObject([{ posts: 1, recipients: 3 }]);
  });

  it('skips whoever unsubscribed or bounced after the digest was planned', async () => {
    await h.publish({ id: 'one' });
    await h.addSubscribers(20);
    await h.plan();
    const left = (await h.subscribers.get('reader0@example.org')) as Subscriber;
    await h.subscribers.save({ ...left, status: 'unsubscribed', version: left.version + 1 });

    await h.drain();

    expect(h.receivedBy().has('reader0@example.org')).toBe(false);
    expect(await h.ledger.getDigest('2026-11-23T07:00Z')).toMatchObject({ sent: 19, skipped: 1, status: 'sent' });
  });

  it('stops at the daily quota and leaves the rest for later', async () => {
    await h.publish({ id: 'one' });
    await h.addSubscribers(30);
    h.quota.max24HourSend = 1000;
    h.quota.sentLast24Hours = 1000 * 0.98 - 10;

    await h.plan();
    const results = await h.drain();

    expect(h.sent).toHaveLength(10);
    expect(results.flatMap((r) => r.retryLater)).toHaveLength(20);
  });
});

describe('a sender running out of time', () => {
  let h: DigestHarness;
  beforeEach(async () => {
    h = await startDigestHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('starts no recipient it may not finish, and hands the rest back', async () => {
    await h.publish({ id: 'one' });
    await h.addSubscribers(40);
    await h.plan();
    const batch = { digestId: '2026-11-23T07:00Z', batchId: 'all', keys: h.queued.splice(0).flatMap((b) => b.keys) };
    let left = 30_000;

    const first = await h.send(batch, {
      timeLeft: () => {
        left -= 1_000;
        return left;
      },
    });
    const second = await h.send(batch);

    expect(first.sent).toBe(10);
    expect(first.retryLater).toHaveLength(30);
    expect(second.sent - second.alreadyDone).toBe(30);
    expect(h.receivedBy().size).toBe(40);
  });
});

describe('which posts a digest carries', () => {
  let h: DigestHarness;
  beforeEach(async () => {
    h = await startDigestHarness();
    await h.addSubscribers(3);
  });
  afterEach(async () => {
    await h.close();
  });

  const carried = async (id: string) => (await h.ledger.getDigest(id))?.feedIds;

  it('mails each post once: edits and duplicate events never queue it again', async () => {
    await h.publish({ id: 'one', title: 'First' });
    await h.plan({ scheduledTime: '2026-11-23T07:00:00Z' });
    await h.publish({ id: 'one', title: 'First, edited' });
    await h.publish({ id: 'two' });

    await h.plan({ scheduledTime: '2026-11-30T07:00:00Z' });

    expect(await carried('2026-11-23T07:00Z')).toEqual(['one']);
    expect(await carried('2026-11-30T07:00Z')).toEqual(['two']);
  });

  it('mails a post renamed before its digest (same feed id) once, from its new file', async () => {
    await h.publish({ id: 'one', sourcePath: 'helo.md', title: 'Hello' });
    await h.publish({ id: 'one', sourcePath: 'helo.md' }, { status: 'deleted' });
    await h.publish({ id: 'one', sourcePath: 'hello.md', title: 'Hello' });

    const [plan] = await h.plan();

    expect(plan?.posts).toBe(1);
    expect(await carried(plan?.id as string)).toEqual(['one']);
  });

  it('leaves out a post deleted before its digest, and includes a late post with an old date', async () => {
    await h.publish({ id: 'gone' });
    await h.publish({ id: 'gone' }, { status: 'deleted' });
    await h.publish({ id: 'old', date: '2019-01-01T00:00:00.000Z' });

    const [plan] = await h.plan();

    expect(plan?.posts).toBe(1);
    expect(await carried(plan?.id as string)).toEqual(['old']);
  });

  it('sends nothing when nothing is new, and waits for minPosts', async () => {
    const empty = await h.plan({ scheduledTime: '2026-11-23T07:00:00Z' });
    await h.publish({ id: 'one' });
    const waiting = await h.plan(
      { scheduledTime: '2026-11-30T07:00:00Z' },
      { site: { ...h.planner().site, digest: { ...h.planner().site.digest, minPosts: 2 } } },
    );
    await h.publish({ id: 'two' });
    const sent = await h.plan({ scheduledTime: '2026-12-07T07:00:00Z' });

    expect(empty[0]?.status).toBe('empty');
    expect(waiting[0]?.status).toBe('waiting');
    expect(sent[0]).toMatchObject({ status: 'sending', posts: 2 });
    expect(h.queued.filter((b) => b.digestId !== '2026-12-07T07:00Z')).toEqual([]);
  });

  it('previews the next digest as the planner would choose it, without opening or assigning anything', async () => {
    const waitsForTwo = { site: { ...h.planner().site, digest: { ...h.planner().site.digest, minPosts: 2 } } };
    const contents: DigestContent[] = [];
    const recording = h.planner({
      ...waitsForTwo,
      compile: async (content) => {
        contents.push(content);
        return h.planner().compile(content);
      },
    });
    const empty = await previewNextDigest(recording);
    await h.publish({ id: 'one', date: '2026-11-20T08:00:00.000Z' });
    await h.publish({ id: 'gone' });
    await h.publish({ id: 'gone' }, { status: 'deleted' });
    const waiting = await previewNextDigest(recording);
    await h.publish({ id: 'two', date: '2026-11-21T08:00:00.000Z' });
    const ready = await previewNextDigest(recording);
    const shown = await previewNextDigest(recording);
    const before = await h.mailQueue.listQueued('');
    const batchesBefore = h.queued.length;
    const digestsBefore = await h.ledger.listDigests(10);

    const [plan] = await h.plan({ scheduledTime: '2026-11-23T07:00:00Z' }, waitsForTwo);

    expect(empty).toEqual({ status: 'empty' });
    expect(waiting).toEqual({ status: 'waiting', posts: 1, minPosts: 2 });
    expect(ready).toMatchObject({ status: 'ready', posts: 2, compiled: { subject: '2 new posts' } });
    expect(shown).toEqual(ready);
    // Newest first, as the planner compiles them.
    expect(contents[0]?.posts.map((post) => post.feedId)).toEqual(['two', 'one']);
    expect(before.filter((post) => post.digestId !== undefined)).toEqual([]);
    expect(batchesBefore).toBe(0);
    expect(digestsBefore).toEqual([]);
    expect(plan).toMatchObject({ status: 'sending', posts: 2 });
    expect(await carried(plan?.id as string)).toEqual(expect.arrayContaining(['one', 'two']));
    expect(await previewNextDigest(recording)).toEqual({ status: 'empty' });
  });

  it('previews one post at a time for immediate cadence, and nothing while sending is paused', async () => {
    const immediate = h.planner({
      site: { ...h.planner().site, digest: { ...h.planner().site.digest, cadence: 'immediate' } },
    });
    await h.publish({ id: 'one' });
    await h.publish({ id: 'two' });

    const next = await previewNextDigest(immediate);
    await createDynamoSendingPause({ tableName: h.standIns.tableName, client: h.standIns.dynamo }).pause(
      'SesBounceRate: Threshold Crossed',
      '2026-11-21T08:00:00.000Z',
    );
    const paused = await previewNextDigest(immediate);

    expect(next).toMatchObject({ status: 'ready', id: 'post:one', posts: 1 });
    expect(paused).toEqual({
      status: 'paused',
      reason: 'SesBounceRate: Threshold Crossed',
      since: '2026-11-21T08:00:00.000Z',
    });
  });

  it('leaves posts free when a digest cannot be compiled, and mails them with the next one', async () => {
    await h.publish({ id: 'one' });
    const failing = { compile: async () => Promise.reject(new Error('template broken')) };

    await expect(h.plan({ scheduledTime: '2026-11-23T07:00:00Z' }, failing)).rejects.toThrow('template broken');
    const plans = await h.plan({ scheduledTime: '2026-11-30T07:00:00Z' });

    expect(plans.map((p) => [p.id, p.posts])).toEqual([
      ['2026-11-23T07:00Z', 1],
      ['2026-11-30T07:00Z', 0],
    ]);
    expect(await carried('2026-11-23T07:00Z')).toEqual(['one']);
  });

  it('takes only posts queued by its slot, so racing planners of one slot agree', async () => {
    await h.publish({ id: 'before' }, { at: '2026-11-23T06:59:00.000Z' });
    await h.publish({ id: 'after' }, { at: '2026-11-23T07:00:30.000Z' });

    await Promise.all([
      h.plan({ scheduledTime: '2026-11-23T07:00:00Z' }),
      h.plan({ scheduledTime: '2026-11-23T07:00:00Z' }),
    ]);
    await h.plan({ scheduledTime: '2026-11-30T07:00:00Z' });

    expect(await carried('2026-11-23T07:00Z')).toEqual(['before']);
    expect(await carried('2026-11-30T07:00Z')).toEqual(['after']);
  });

  it('mails an immediate post that was withdrawn before its turn once it is back', async () => {
    const site = h.planner().site;
    const immediate = { site: { ...site, digest: { ...site.digest, cadence: 'immediate' as const } } };
    await h.publish({ id: 'flaky' });
    await h.publish({ id: 'flaky' }, { status: 'deleted' });

    const whileGone = await h.plan({}, immediate);
    await h.publish({ id: 'flaky' });
    const back = await h.plan({}, immediate);

    expect(whileGone).toEqual([]);
    expect(back.map((p) => [p.id, p.posts])).toEqual([['post:flaky', 1]]);
  });

  it('makes a digest per new post when the cadence is immediate', async () => {
    const site = h.planner().site;
    const immediate = { site: { ...site, digest: { ...site.digest, cadence: 'immediate' as const } } };
    await h.publish({ id: 'one' });
    await h.publish({ id: 'two' });

    const plans = await h.plan({}, immediate);
    const again = await h.plan({}, immediate);
    await h.drain();

    expect(plans.map((p) => [p.id, p.posts])).toEqual([
      ['post:one', 1],
      ['post:two', 1],
    ]);
    expect(again).toEqual([]);
    expect(h.sent).toHaveLength(6);
  });
});
