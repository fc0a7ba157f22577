import { readFileSync } from 'node:fs';
import type { SNSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importSubscribers } from '../../functions/app/subscriptions.ts';
import { createFeedbackHandler, type FeedbackHandler } from '../../functions/handlers/create-feedback-handler.ts';
import { snsEvent } from '../support/events.ts';
import { type SubscriptionHarness, startSubscriptionHarness } from '../support/subscription-harness.ts';

/*
 * The feedback function with SNS events as SES publishes them (the mailbox simulator's bounce and complaint, in the
 * fixtures), writing to the DynamoDB stand-in.
 */
const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/ses/${name}.json`, import.meta.url), 'utf8');

/** The real SNS envelope from the fixture, carrying other SES notifications. */
const feedbackEvent = (...messages: string[]): SNSEvent => snsEvent('ses/sns-event-bounce.json', ...messages);

describe('SES feedback function', () => {
  let h: SubscriptionHarness;
  let handler: FeedbackHandler;
  beforeEach(async () => {
    h = await startSubscriptionHarness();
    handler = createFeedbackHandler(h.deps);
    const rows = ['bounce@simulator.amazonses.com', 'complaint@simulator.amazonses.com', 'maybe@mail.example.net'].map(
      (key, i) => ({ line: i + 2, address: key, key, status: 'confirmed' as const }),
    );
    await importSubscribers(h.store, rows, { now: h.clock.now, file: 'seed.csv', attested: true });
  });
  afterEach(async () => {
    await h.close();
  });

  it('suppresses the address of the simulator bounce as SNS delivers it', async () => {
    const result = await handler(JSON.parse(fixture('sns-event-bounce')) as SNSEvent);

    expect(result.applied).toBe(1);
    expect(await h.store.get('bounce@simulator.amazonses.com')).toMatchObject({
      status: 'suppressed',
      suppressedReason: 'bounce',
    });
  });

  it.each([
    ['event-complaint', 'complaint@simulator.amazonses.com', 'complaint'],
    ['notification-complaint', 'complaint@simulator.amazonses.com', 'complaint'],
    ['notification-bounce-permanent', 'bounce@simulator.amazonses.com', 'bounce'],
  ])('suppresses on %s', async (name, key, reason) => {
    await handler(feedbackEvent(fixture(name)));

    expect(await h.store.get(key)).toMatchObject({ status: 'suppressed', suppressedReason: reason });
  });

  it('counts each transient bounce once, even when SNS delivers it twice, and suppresses at the third', async () => {
    const bounceAt = (day: number) =>
      fixture('event-bounce-undetermined').replaceAll(
        /"timestamp": *"[^"]+"/g,
        `"timestamp": "2026-11-${day}T08:00:00.000Z"`,
      );

    await handler(feedbackEvent(bounceAt(10), bounceAt(10)));
    await handler(feedbackEvent(bounceAt(11), bounceAt(11)));
    expect(await h.store.get('maybe@mail.example.net')).toMatchObject({ status: 'confirmed' });
    await handler(feedbackEvent(bounceAt(12)));

    expect(await h.store.get('maybe@mail.example.net')).toMatchObject({ status: 'suppressed' });
  });

  it('ignores deliveries and drops an unreadable notification with a log line, applying the rest', async () => {
    const result = await handler(feedbackEvent(fixture('event-delivery'), 'not json', fixture('event-complaint')));

    expect(result.applied).toBe(1);
    expect(h.logs.some((line) => line.message === 'unreadable SES notification dropped')).toBe(true);
    expect((await h.store.get('complaint@simulator.amazonses.com'))?.status).toBe('suppressed');
  });
});
