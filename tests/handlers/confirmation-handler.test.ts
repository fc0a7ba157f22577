import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SubscribeRequest } from '../../functions/app/ports.ts';
import { MailOutcomeUnknownError, MailRejectedError, MailThrottledError } from '../../functions/core/errors.ts';
import {
  type ConfirmationHandler,
  createConfirmationHandler,
} from '../../functions/handlers/create-confirmation-handler.ts';
import { sqsEvent } from '../support/events.ts';
import { type SubscriptionHarness, startSubscriptionHarness } from '../support/subscription-harness.ts';

/*
 * The confirmation sender: subscribe requests from the API's queue, in SQS's event shape, decided over the DynamoDB
 * stand-in. SES's refusals are injected into the recording mailer, since no stand-in throttles or refuses.
 */

describe('confirmation sender', () => {
  let h: SubscriptionHarness;
  let confirm: ConfirmationHandler;
  let request: SubscribeRequest;
  beforeEach(async () => {
    h = await startSubscriptionHarness();
    confirm = createConfirmationHandler(h.deps);
    request = {
      address: 'Ada@example.org',
      key: 'ada@example.org',
      name: 'Ada',
      via: 'form',
      requestedAt: h.clock.now.toISOString(),
    };
  });
  afterEach(async () => {
    await h.close();
  });

  it('stores a queued request as pending and mails its confirmation', async () => {
    // Act
    const response = await confirm(sqsEvent(request));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await h.store.get('ada@example.org')).toMatchObject({ status: 'pending', address: 'Ada@example.org' });
    expect(h.mailer.sent.map((message) => message.to)).toEqual(['Ada@example.org']);
  });

  it('mails once when SQS delivers the same request twice', async () => {
    // Act
    await confirm(sqsEvent(request));
    const again = await confirm(sqsEvent(request));

    // Assess
    expect(again).toEqual({ batchItemFailures: [] });
    expect(h.mailer.sent).toHaveLength(1);
  });

  it('hands a throttled request back to SQS, and its redelivery mails it', async () => {
    // Prepare
    h.mailer.failNext(new MailThrottledError('Maximum sending rate exceeded.'));

    // Act
    const first = await confirm(sqsEvent(request));
    const redelivered = await confirm(sqsEvent(request));

    // Assess
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
    expect(redelivered).toEqual({ batchItemFailures: [] });
    expect(h.mailer.sent).toHaveLength(1);
  });

  it.each([
    ['SES refused the address', new MailRejectedError('Address blacklisted.')],
    ['the answer was lost after sending', new MailOutcomeUnknownError('socket hang up')],
  ])('does not retry when %s', async (_, error) => {
    // Prepare
    h.mailer.failNext(error);

    // Act
    const response = await confirm(sqsEvent(request));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.mailer.sent).toEqual([]);
    expect(h.logs.find((line) => line.message === 'confirmation mail failed')?.fields).toMatchObject({ retry: false });
  });

  it('hands a request back to SQS when the list cannot be read', async () => {
    // Prepare: a list that is down
    const down = createConfirmationHandler({
      ...h.deps,
      store: { ...h.store, get: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')) },
    });

    // Act
    const response = await down(sqsEvent(request));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-0' }] });
    expect(h.mailer.sent).toEqual([]);
  });

  it('records consent at the time the visitor asked, not when the queue got to it', async () => {
    // Prepare
    const asked = new Date(h.clock.now.getTime() - 2 * 3_600_000).toISOString();

    // Act
    await confirm(sqsEvent({ ...request, requestedAt: asked }));

    // Assess
    expect(await h.store.get('ada@example.org')).toMatchObject({ subscribedAt: asked, subscribedVia: 'form' });
  });

  it('hands back, unstarted, the requests it has no time left for', async () => {
    // Prepare: 60 s left for the first request, then 20 s (under the reserve)
    const left = [60_000, 20_000, 20_000];
    const eve = { ...request, address: 'eve@example.org', key: 'eve@example.org' };
    const bob = { ...request, address: 'bob@example.org', key: 'bob@example.org' };

    // Act
    const response = await confirm(sqsEvent(request, eve, bob), { getRemainingTimeInMillis: () => left.shift() ?? 0 });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-1' }, { itemIdentifier: 'message-2' }]);
    expect(h.mailer.sent.map((message) => message.to)).toEqual(['Ada@example.org']);
    expect(await h.store.get('eve@example.org')).toBeUndefined();
  });

  it('drops a request that waited more than a day, storing and sending nothing', async () => {
    // Prepare
    const old = { ...request, requestedAt: new Date(h.clock.now.getTime() - 25 * 3_600_000).toISOString() };

    // Act
    const response = await confirm(sqsEvent(old));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await h.store.get('ada@example.org')).toBeUndefined();
    expect(h.mailer.sent).toEqual([]);
    expect(h.logs.some((line) => line.message === 'subscribe request dropped: too old to answer')).toBe(true);
  });

  it.each([
    ['not JSON', 'not json'],
    ['an address with a line break', JSON.stringify({ ...baseRequest(), address: 'ada@example.org\r\nBcc: x@y.z' })],
    ['two addresses', JSON.stringify({ ...baseRequest(), address: 'ada@example.org, eve@example.org' })],
    ['an unknown way in', JSON.stringify({ ...baseRequest(), via: 'feedback' })],
    ['no date', JSON.stringify({ ...baseRequest(), requestedAt: 'yesterday' })],
    ['a name with a line break', JSON.stringify({ ...baseRequest(), name: 'Ada\r\nBcc: x@y.z' })],
  ])('drops a message with %s, with a log line, and goes on with the rest of the batch', async (_, body) => {
    // Act
    const response = await confirm(sqsEvent(body, request));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.logs.some((line) => line.message === 'unreadable subscribe request dropped')).toBe(true);
    expect(h.mailer.sent.map((message) => message.to)).toEqual(['Ada@example.org']);
  });

  it('keys a request by its normalised address, whatever the message says', async () => {
    // Act
    await confirm(sqsEvent({ ...request, address: '  Ada@EXAMPLE.org ', key: 'eve@example.org' }));

    // Assess
    expect(await h.store.get('eve@example.org')).toBeUndefined();
    expect(await h.store.get('ada@example.org')).toMatchObject({ address: 'Ada@example.org' });
  });
});

function baseRequest(): SubscribeRequest {
  return { address: 'ada@example.org', key: 'ada@example.org', via: 'form', requestedAt: '2026-11-21T10:00:00.000Z' };
}
