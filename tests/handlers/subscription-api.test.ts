import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SubscribeRequest, WelcomeRequest } from '../../functions/app/ports.ts';
import { unsubscribeUrl } from '../../functions/core/subscribers/links.ts';
import { readTokenKeys, rotateTokenKeys, toTokenKeyRing } from '../../functions/core/subscribers/token-key-ring.ts';
import { signToken } from '../../functions/core/subscribers/tokens.ts';
import {
  createSubscriptionHandler,
  type SubscriptionHandler,
} from '../../functions/handlers/create-subscription-handler.ts';
import { createLocalSubscribeRequests } from '../../functions/local/local-confirmations.ts';
import { httpEvent } from '../support/events.ts';
import {
  confirmUrlIn,
  type SubscriptionHarness,
  startSubscriptionHarness,
  TEST_TOKEN_KEY,
  tokenOf,
} from '../support/subscription-harness.ts';

/*
 * The subscription API handler with API Gateway's real event shape, over the DynamoDB stand-in. The mail itself is
 * recorded (its MIME is tested with mailparser in tests/core/mail and in the local run's journey).
 */
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
/** The page's own content, without the site frame (nav, footer) around it. */
const mainOf = (body = ''): string => body.slice(body.indexOf('<main'), body.indexOf('</main>'));

describe('subscription API', () => {
  let h: SubscriptionHarness;
  let api: SubscriptionHandler;
  beforeEach(async () => {
    h = await startSubscriptionHarness();
    // Requests go straight to the confirmation sender's handler, as in the local run (see local-confirmations.ts).
    api = createSubscriptionHandler({ ...h.deps, requests: createLocalSubscribeRequests(h.deps) });
  });
  afterEach(async () => {
    await h.close();
  });

  const subscribe = (fields: Record<string, string>) =>
    api(httpEvent('POST', '/api/subscribe', { body: form(fields) }));
  const confirmToken = () => tokenOf(confirmUrlIn(h.mailer.sent.at(-1) as never));
  /** What the browser does with a 303: GET the result page it names. */
  const follow = async (response: Awaited<ReturnType<SubscriptionHandler>>) => {
    expect(response.statusCode).toBe(303);
    const location = new URL(String(response.headers?.location));
    return api(httpEvent('GET', location.pathname, { query: location.search.slice(1) }));
  };

  it('stores a form subscription as pending, mails a confirmation and shows "check your inbox"', async () => {
    const response = await subscribe({ email: 'Ada@Example.org', name: 'Ada', website: '' });
    const page = await follow(response);

    expect(response.headers?.location).toBe('https://notes.example/api/subscribe?result=check-your-inbox');
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers?.['cache-control']).toBe('no-store');
    expect(page.body).toContain('<h1>Check your inbox</h1>');
    expect(await h.store.get('ada@example.org')).toMatchObject({ status: 'pending', address: 'Ada@example.org' });
    expect(h.mailer.sent.map((m) => m.to)).toEqual(['Ada@example.org']);
  });

  it('only queues a subscribe request: it neither reads the list nor sends mail', async () => {
    // Prepare: a queue that records, and a list that records every call made to it
    const queued: (SubscribeRequest | WelcomeRequest)[] = [];
    const calls: string[] = [];
    const store = new Proxy(h.store, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function'
          ? (...args: unknown[]) => {
              calls.push(String(property));
              return value.apply(target, args);
            }
          : value;
      },
    });
    const queueOnly = createSubscriptionHandler({
      ...h.deps,
      store,
      requests: { submit: async (request) => void queued.push(request) },
    });

    // Act
    const response = await queueOnly(
      httpEvent('POST', '/api/subscribe', { body: form({ email: 'Ada@Example.org', name: 'Ada', website: '' }) }),
    );

    // Assess
    expect(response.statusCode).toBe(303);
    expect(queued).toEqual([
      {
        address: 'Ada@example.org',
        key: 'ada@example.org',
        name: 'Ada',
        via: 'form',
        requestedAt: h.clock.now.toISOString(),
      },
    ]);
    expect(calls).toEqual([]);
    expect(h.mailer.sent).toEqual([]);
  });

  it('answers the same whether the address is new, pending, confirmed or suppressed', async () => {
    await subscribe({ email: 'pending@example.org' });
    await subscribe({ email: 'confirmed@example.org' });
    await api(httpEvent('POST', '/api/confirm', { body: form({ token: confirmToken() }) }));
    await h.store.save({
      key: 'suppressed@example.org',
      address: 'suppressed@example.org',
      status: 'suppressed',
      subscribedAt: '2026-01-01T00:00:00.000Z',
      subscribedVia: 'form',
      version: 1,
    });
    h.clock.now = new Date(h.clock.now.getTime() + 3_600_000);

    const answers = await Promise.all(
      ['new', 'pending', 'confirmed', 'suppressed'].map(async (state) => {
        const response = await subscribe({ email: `${state}@example.org` });
        return { status: response.statusCode, location: response.headers?.location, body: response.body };
      }),
    );

    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]?.status).toBe(303);
  });

  it('answers a filled honeypot as usual but stores and sends nothing', async () => {
    const response = await subscribe({ email: 'bot@example.org', website: 'https://spam.example' });

    expect(response.statusCode).toBe(303);
    expect(await h.store.get('bot@example.org')).toBeUndefined();
    expect(h.mailer.sent).toEqual([]);
  });

  it('accepts JSON and answers in JSON', async () => {
    const response = await api(
      httpEvent('POST', '/api/subscribe', {
        body: JSON.stringify({ email: 'json@example.org' }),
        contentType: 'application/json',
        plain: true,
      }),
    );

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body ?? '')).toEqual({ status: 'check-your-inbox' });
    expect((await h.store.get('json@example.org'))?.subscribedVia).toBe('api');
  });

  it.each([
    ['a header-injecting address', { email: 'ada@example.org\r\nBcc: all@example.org' }, 400, /line break/],
    ['two addresses', { email: 'ada@example.org, bob@example.org' }, 400, /one address/],
    ['a name with a line break', { email: 'ada@example.org', name: 'Ada\r\nBcc: x@example.org' }, 400, /.+/],
    ['an over-long name', { email: 'ada@example.org', name: 'n'.repeat(101) }, 400, /100/],
    ['an unknown field', { email: 'ada@example.org', admin: 'true' }, 400, /admin/],
    ['no address', { name: 'Ada' }, 400, /email address/],
  ])('refuses %s with a clear 4xx page and stores nothing', async (_, fields, status, message) => {
    const response = await subscribe(fields);

    expect(response.statusCode).toBe(status);
    expect(response.body).toMatch(message);
    expect(await h.store.get('ada@example.org')).toBeUndefined();
    expect(h.mailer.sent).toEqual([]);
  });

  it('refuses an oversized body, a repeated field and an unsupported content type', async () => {
    const big = await subscribe({ email: 'ada@example.org', name: 'x'.repeat(9000) });
    const repeated = await api(
      httpEvent('POST', '/api/subscribe', { body: 'email=a%40example.org&email=b%40example.org' }),
    );
    const multipart = await api(
      httpEvent('POST', '/api/subscribe', { body: '--b\r\n\r\n--b--', contentType: 'multipart/form-data; boundary=b' }),
    );
    const badJson = await api(
      httpEvent('POST', '/api/subscribe', { body: '{"email":', contentType: 'application/json', plain: true }),
    );

    expect([big.statusCode, repeated.statusCode, multipart.statusCode, badJson.statusCode]).toEqual([
      413, 400, 415, 400,
    ]);
    expect(JSON.parse(badJson.body ?? '')).toEqual({ error: 'the body is not valid JSON' });
    expect(h.mailer.sent).toEqual([]);
  });

  it('never reflects what a visitor typed unescaped', async () => {
    const hostile = '"><script>alert(1)</script>@example.org';

    const response = await subscribe({ email: hostile, name: '<img src=x onerror=alert(1)>' });

    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('<script>alert(1)');
    expect(response.body).not.toContain('<img src=x');
    expect(response.body).toContain('&lt;script&gt;');
  });

  it('shows a refused name under the name field, keeping what the visitor typed', async () => {
    // Prepare
    const fields = { email: 'ada@example.org', name: 'support@bank.example', website: '' };

    // Act
    const response = await subscribe(fields);

    // Assess
    expect(response.statusCode).toBe(400);
    const body = response.body ?? '';
    expect(body).toMatch(
      /<p class="field-error" id="subscribe-name-error">.*The name must not contain an email address\.<\/p>\n<input id="subscribe-name"[^>]* aria-describedby="subscribe-name-error" aria-invalid="true"/,
    );
    expect(body).not.toContain('subscribe-email-error');
    expect(body).toContain('value="ada@example.org"');
    expect(h.mailer.sent).toEqual([]);
  });

  it('shows a confirm button on GET without changing anything, and confirms on POST', async () => {
    await subscribe({ email: 'ada@example.org' });
    const token = confirmToken();

    const page = await api(httpEvent('GET', '/api/confirm', { query: `token=${token}` }));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="${token}"`);
    expect((await h.store.get('ada@example.org'))?.status).toBe('pending');

    const confirmed = await follow(await api(httpEvent('POST', '/api/confirm', { body: form({ token }) })));
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('<h1>You’re subscribed</h1>');
    expect((await h.store.get('ada@example.org'))?.status).toBe('confirmed');

    const again = await follow(await api(httpEvent('POST', '/api/confirm', { body: form({ token }) })));
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('<h1>You’re already subscribed</h1>');
  });

  it.each([
    [
      'forged',
      () =>
        signToken(new TextEncoder().encode('x'.repeat(64)), { purpose: 'confirm', key: 'ada@example.org', nonce: 'n' }),
      400,
    ],
    ['cross-purpose', () => signToken(TEST_TOKEN_KEY, { purpose: 'unsubscribe', key: 'ada@example.org' }), 400],
    ['garbage', () => 'not-a-token', 400],
    [
      'expired',
      () =>
        signToken(TEST_TOKEN_KEY, {
          purpose: 'confirm',
          key: 'ada@example.org',
          nonce: 'n',
          expiresAt: new Date('2026-01-01T00:00:00Z'),
        }),
      410,
    ],
  ])('answers a %s confirmation link with a clear 4xx page and a way forward', async (_, makeToken, status) => {
    const token = makeToken();

    for (const response of [
      await api(httpEvent('GET', '/api/confirm', { query: `token=${encodeURIComponent(token)}` })),
      await follow(await api(httpEvent('POST', '/api/confirm', { body: form({ token }) }))),
    ]) {
      expect(response.statusCode).toBe(status);
      expect(response.body).toContain('/subscribe/');
    }
    expect(await h.store.get('ada@example.org')).toBeUndefined();
  });

  it('unsubscribes in one click (RFC 8058), harmlessly when repeated, without a GET ever unsubscribing', async () => {
    await subscribe({ email: 'ada@example.org' });
    await api(httpEvent('POST', '/api/confirm', { body: form({ token: confirmToken() }) }));
    const query = new URL(unsubscribeUrl(h.deps, 'ada@example.org')).search.slice(1);

    const page = await api(httpEvent('GET', '/api/unsubscribe', { query }));
    expect(page.statusCode).toBe(200);
    expect((await h.store.get('ada@example.org'))?.status).toBe('confirmed');

    const first = await api(httpEvent('POST', '/api/unsubscribe', { query, body: 'List-Unsubscribe=One-Click' }));
    const second = await api(httpEvent('POST', '/api/unsubscribe', { query, body: 'List-Unsubscribe=One-Click' }));

    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(await h.store.get('ada@example.org')).toMatchObject({
      status: 'unsubscribed',
      unsubscribedVia: 'one-click',
    });
  });

  it('unsubscribes through a link sealed before a rotation, and refuses one sealed with a key the ring dropped', async () => {
    // Prepare: the handler as deployed after a rotation (the ring read at a cold start two days later).
    await subscribe({ email: 'ada@example.org' });
    await subscribe({ email: 'bob@example.org' });
    const now = new Date();
    const dropped = 'd'.repeat(64);
    const rotated = rotateTokenKeys(readTokenKeys(new TextDecoder().decode(TEST_TOKEN_KEY), 'TokenKey'), {
      newKey: 'n'.repeat(64),
      now,
      keepDays: 365,
    });
    const ring = toTokenKeyRing(rotated, new Date(now.getTime() + 2 * 24 * 60 * 60 * 1000));
    const rotatedApi = createSubscriptionHandler({
      ...h.deps,
      tokenKey: ring,
      requests: createLocalSubscribeRequests(h.deps),
    });
    const oneClick = (key: Uint8Array, address: string) =>
      rotatedApi(
        httpEvent('POST', '/api/unsubscribe', {
          query: `token=${signToken(key, { purpose: 'unsubscribe', key: address })}`,
          body: 'List-Unsubscribe=One-Click',
        }),
      );

    // Act
    const sealedBefore = await oneClick(TEST_TOKEN_KEY, 'ada@example.org');
    const sealedWithDropped = await oneClick(new TextEncoder().encode(dropped), 'bob@example.org');

    // Assess
    expect(sealedBefore.statusCode).toBe(200);
    expect((await h.store.get('ada@example.org'))?.status).toBe('unsubscribed');
    expect(sealedWithDropped.statusCode).toBe(400);
    expect((await h.store.get('bob@example.org'))?.status).not.toBe('unsubscribed');
  });

  it('accepts the one-click POST as multipart/form-data too', async () => {
    await subscribe({ email: 'ada@example.org' });
    const query = new URL(unsubscribeUrl(h.deps, 'ada@example.org')).search.slice(1);
    const body = '--xyz\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--xyz--\r\n';

    const response = await api(
      httpEvent('POST', '/api/unsubscribe', { query, body, contentType: 'multipart/form-data; boundary=xyz' }),
    );

    expect(response.statusCode).toBe(200);
    expect((await h.store.get('ada@example.org'))?.status).toBe('unsubscribed');
  });

  it('refuses a tampered unsubscribe link with a 400 page', async () => {
    const token = tokenOf(unsubscribeUrl(h.deps, 'ada@example.org'));
    const tampered = `${token.slice(0, -2)}xx`;

    const response = await api(
      httpEvent('POST', '/api/unsubscribe', { query: `token=${tampered}`, body: 'List-Unsubscribe=One-Click' }),
    );

    expect(response.statusCode).toBe(400);
  });

  it('unsubscribes from the page with a 303 to a result page, and says so when pressed again', async () => {
    // Prepare
    await subscribe({ email: 'ada@example.org' });
    await api(httpEvent('POST', '/api/confirm', { body: form({ token: confirmToken() }) }));
    const query = new URL(unsubscribeUrl(h.deps, 'ada@example.org')).search.slice(1);

    // Act
    const first = await api(httpEvent('POST', '/api/unsubscribe', { query, body: '' }));
    const firstPage = await follow(first);
    const second = await api(httpEvent('POST', '/api/unsubscribe', { query, body: '' }));
    const secondPage = await follow(second);

    // Assess
    expect(first.headers?.location).toBe('https://notes.example/api/unsubscribe?result=unsubscribed');
    expect(second.headers?.location).toBe('https://notes.example/api/unsubscribe?result=already-unsubscribed');
    expect(firstPage.statusCode).toBe(200);
    expect(firstPage.body).toContain('left the Harness Notes mailing list');
    expect(secondPage.body).toContain('This address was already unsubscribed from the Harness Notes mailing list');
    expect(await h.store.get('ada@example.org')).toMatchObject({ status: 'unsubscribed', unsubscribedVia: 'page' });
  });

  it('answers the one-click POST with 200 and no redirect, also when already unsubscribed', async () => {
    // Prepare
    await subscribe({ email: 'ada@example.org' });
    const query = new URL(unsubscribeUrl(h.deps, 'ada@example.org')).search.slice(1);
    const oneClick = () => api(httpEvent('POST', '/api/unsubscribe', { query, body: 'List-Unsubscribe=One-Click' }));

    // Act
    const responses = [await oneClick(), await oneClick()];

    // Assess
    expect(responses.map((r) => [r.statusCode, r.headers?.location])).toEqual([
      [200, undefined],
      [200, undefined],
    ]);
  });

  it('never offers to subscribe on a tampered or expired unsubscribe link, whether opened or posted', async () => {
    // Prepare
    const token = tokenOf(unsubscribeUrl(h.deps, 'ada@example.org'));
    const query = `token=${token.slice(0, -2)}xx`;

    // Act
    const opened = await api(httpEvent('GET', '/api/unsubscribe', { query }));
    const posted = await follow(await api(httpEvent('POST', '/api/unsubscribe', { query, body: '' })));

    // Assess
    for (const response of [opened, posted]) {
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('This unsubscribe link is not valid');
      expect(response.body).not.toContain('Subscribe again');
      expect(mainOf(response.body)).not.toContain('/subscribe/"');
    }
  });

  it.each([
    ['an unknown code', 'subscribe', 'result=%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
    ['a code of another endpoint', 'subscribe', 'result=unsubscribed'],
    ['an inherited property name', 'confirm', 'result=constructor'],
  ])('answers %s in a result URL with 404 and none of its text', async (_, endpoint, query) => {
    // Act
    const response = await api(httpEvent('GET', `/api/${endpoint}`, { query }));

    // Assess
    expect(response.statusCode).toBe(404);
    expect(mainOf(response.body)).not.toMatch(/script|unsubscribed|constructor/);
  });

  it('shows the same message on the result page a refresh loads as the POST led to, with no address or token in its URL', async () => {
    // Prepare
    await subscribe({ email: 'ada@example.org' });
    const token = confirmToken();

    // Act
    const posted = await api(httpEvent('POST', '/api/confirm', { body: form({ token }) }));
    const shown = await follow(posted);
    const refreshed = await follow(posted);

    // Assess
    const location = String(posted.headers?.location);
    expect(location).not.toContain(token);
    expect(location).not.toContain('ada');
    expect(refreshed.body).toBe(shown.body);
    expect(shown.body).toContain('<h1>You’re subscribed</h1>');
    expect(h.mailer.sent.filter((m) => m.to === 'ada@example.org')).toHaveLength(1);
  });

  it('answers unknown paths with 404 and wrong methods with 405 and Allow', async () => {
    const missing = await api(httpEvent('GET', '/api/admin'));
    const wrong = await api(httpEvent('DELETE', '/api/confirm'));
    const typed = await api(httpEvent('GET', '/api/subscribe'));

    expect(missing.statusCode).toBe(404);
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers?.allow).toBe('GET, POST');
    expect(typed.statusCode).toBe(303);
    expect(typed.headers?.location).toBe('https://notes.example/subscribe/');
  });

  it('answers as usual when the mail cannot be sent, and lets the visitor retry at once', async () => {
    const { MailRejectedError } = await import('../../functions/core/errors.ts');
    const confirmed = await subscribe({ email: 'listed@example.org' });
    await api(httpEvent('POST', '/api/confirm', { body: form({ token: confirmToken() }) }));
    h.mailer.failNext(new MailRejectedError('Email address is not verified.'));

    const failed = await subscribe({ email: 'ada@example.org' });
    const listed = await subscribe({ email: 'listed@example.org' });
    const retried = await subscribe({ email: 'ada@example.org' });

    // The failure must not tell a new address from a listed one: same status, same page.
    expect(confirmed.statusCode).toBe(303);
    expect([failed, listed, retried].map((r) => [r.statusCode, r.headers?.location, r.body])).toEqual(
      Array(3).fill([303, 'https://notes.example/api/subscribe?result=check-your-inbox', '']),
    );
    expect(h.mailer.sent.map((m) => m.to)).toEqual(['listed@example.org', 'ada@example.org']);
  });

  it('shows a used or superseded confirmation link as such on GET, before any button', async () => {
    await subscribe({ email: 'ada@example.org' });
    const token = confirmToken();
    await api(httpEvent('POST', '/api/confirm', { body: form({ token }) }));
    const leave = new URL(unsubscribeUrl(h.deps, 'ada@example.org')).search.slice(1);

    const confirmedAlready = await api(httpEvent('GET', '/api/confirm', { query: `token=${token}` }));
    await api(httpEvent('POST', '/api/unsubscribe', { query: leave }));
    const afterLeaving = await api(httpEvent('GET', '/api/confirm', { query: `token=${token}` }));

    expect(confirmedAlready.statusCode).toBe(200);
    expect(confirmedAlready.body).not.toContain(`value="${token}"`);
    expect(afterLeaving.statusCode).toBe(410);
    expect(await h.store.get('ada@example.org')).toMatchObject({ status: 'unsubscribed', unsubscribedVia: 'page' });
  });
  it('ends unsubscribed when one-click unsubscribes race form subscriptions of the same address', async () => {
    await subscribe({ email: 'ada@example.org' });
    await api(httpEvent('POST', '/api/confirm', { body: form({ token: confirmToken() }) }));
    const query = new URL(unsubscribeUrl(h.deps, 'ada@example.org')).search.slice(1);
    h.clock.now = new Date(h.clock.now.getTime() + 3_600_000);

    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0
          ? api(httpEvent('POST', '/api/unsubscribe', { query, body: 'List-Unsubscribe=One-Click' }))
          : subscribe({ email: 'ada@example.org' }),
      ),
    );

    expect(responses.map((r) => r.statusCode)).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 200 : 303)));
    expect((await h.store.get('ada@example.org'))?.status).toBe('unsubscribed');
    // Each form post after the unsubscribe may ask for a new confirmation, but the cooldown lets one mail through.
    expect(h.mailer.sent.length).toBeLessThanOrEqual(2);
  });
});
