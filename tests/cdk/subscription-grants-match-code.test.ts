import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublisherStack } from '../../cdk/publisher-stack.ts';
import type { SubscribeRequest, WelcomeRequest } from '../../functions/app/ports.ts';
import { welcomeThroughQueue } from '../../functions/app/subscriptions.ts';
import { unsubscribeUrl } from '../../functions/core/subscribers/links.ts';
import {
  type ConfirmationHandler,
  createConfirmationHandler,
} from '../../functions/handlers/create-confirmation-handler.ts';
import {
  createSubscriptionHandler,
  type SubscriptionHandler,
} from '../../functions/handlers/create-subscription-handler.ts';
import { httpEvent, sqsEvent } from '../support/events.ts';
import { type Call, recordDynamoCalls, synthesiseForGrants } from '../support/iam-grants.ts';
import {
  confirmUrlIn,
  type SubscriptionHarness,
  startSubscriptionHarness,
  tokenOf,
} from '../support/subscription-harness.ts';

/*
 * The subscription functions' IAM grants against what their code really calls (see tests/support/iam-grants.ts):
 * the API (subscribe, confirm, unsubscribe) and the confirmation sender over the DynamoDB stand-in, each request
 * checked against that function's role.
 */
describe('subscription IAM grants cover the calls the code makes', () => {
  let h: SubscriptionHarness;
  let role: 'api' | 'confirmations' = 'api';
  let calls: Record<'api' | 'confirmations', Call[]>;
  let stack: PublisherStack;
  let denied: ReturnType<typeof synthesiseForGrants>['denied'];

  beforeAll(async () => {
    h = await startSubscriptionHarness();
    calls = recordDynamoCalls(h.standIns.dynamo, () => role);
    ({ stack, denied } = synthesiseForGrants());
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('lets the API and the confirmation sender do everything they do, and records what that is', async () => {
    const queued: (SubscribeRequest | WelcomeRequest)[] = [];
    const requests = { submit: async (request: SubscribeRequest | WelcomeRequest) => void queued.push(request) };
    // As deployed: the API queues the welcome, the confirmation sender sends it.
    const api: SubscriptionHandler = createSubscriptionHandler({
      ...h.deps,
      sendWelcome: welcomeThroughQueue(requests),
      requests,
    });
    const welcomed: string[] = [];
    const confirmations: ConfirmationHandler = createConfirmationHandler({
      ...h.deps,
      sendWelcome: async (subscriber) => void welcomed.push(subscriber.key),
    });
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

    role = 'api';
    await api(httpEvent('POST', '/api/subscribe', { body: form({ email: 'ada@example.org' }) }));
    role = 'confirmations';
    await confirmations(sqsEvent(...queued.splice(0)));
    role = 'api';
    const token = tokenOf(confirmUrlIn(h.mailer.sent.at(-1) as never));
    await api(httpEvent('GET', '/api/confirm', { query: `token=${token}` }));
    await api(httpEvent('POST', '/api/confirm', { body: form({ token }) }));
    role = 'confirmations';
    await confirmations(sqsEvent(...queued.splice(0)));
    role = 'api';
    const leave = new URL(unsubscribeUrl(h.deps, 'ada@example.org')).search.slice(1);
    await api(httpEvent('POST', '/api/unsubscribe', { query: leave, body: 'List-Unsubscribe=One-Click' }));

    expect((await h.store.get('ada@example.org'))?.status).toBe('unsubscribed');
    expect(welcomed).toEqual(['ada@example.org']);
    expect(calls.api.length).toBeGreaterThan(0);
    expect(calls.confirmations.length).toBeGreaterThan(0);
    expect(denied(stack.subscriptions.handler, calls.api)).toEqual([]);
    expect(denied(stack.subscriptions.confirmationSender, calls.confirmations)).toEqual([]);
  });

  it('reports a call outside the grants: another action, another partition', () => {
    const outside = [
      { action: 'Scan', pk: 'SUB#00' },
      { action: 'GetItem', pk: 'DIGEST' },
      { action: 'DeleteItem', pk: 'SUB#03' },
    ];

    expect(denied(stack.subscriptions.handler, outside)).toEqual(outside);
  });
});
