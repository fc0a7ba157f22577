import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMailTemplates } from '../../functions/adapters/mail-templates.ts';
import type { SubscribeRequest, WelcomeRequest } from '../../functions/app/ports.ts';
import { createSubscriptionDeps } from '../../functions/app/subscription-deps.ts';
import {
  applyFeedback,
  confirmSubscription,
  countSubscribers,
  handleWelcomeRequest,
  importSubscribers,
  removeSubscriber,
  requestSubscription,
  unsubscribeByToken,
  welcomeThroughQueue,
} from '../../functions/app/subscriptions.ts';
import {
  MailBlockedError,
  MailOutcomeUnknownError,
  MailRejectedError,
  MailThrottledError,
} from '../../functions/core/errors.ts';
import { unsubscribeUrl } from '../../functions/core/subscribers/links.ts';
import type { ImportRow } from '../../functions/core/subscribers/subscriber.ts';
import {
  confirmUrlIn,
  type SubscriptionHarness,
  startSubscriptionHarness,
  tokenOf,
} from '../support/subscription-harness.ts';

const ada = { address: 'Ada@example.org', key: 'ada@example.org', via: 'form' as const };

/** Ada, who subscribed, confirmed and left. */
const leftReader = () => ({
  key: ada.key,
  address: ada.address,
  status: 'unsubscribed' as const,
  subscribedAt: '2026-01-01T00:00:00.000Z',
  subscribedVia: 'form' as const,
  confirmedAt: '2026-01-01T00:05:00.000Z',
  confirmedVia: 'link' as const,
  unsubscribedAt: '2026-06-01T00:00:00.000Z',
  unsubscribedVia: 'one-click' as const,
});

describe('subscription use cases against the DynamoDB stand-in', () => {
  let h: SubscriptionHarness;
  beforeEach(async () => {
    h = await startSubscriptionHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const later = (minutes: number) => {
    h.clock.now = new Date(h.clock.now.getTime() + minutes * 60_000);
  };

  it('takes an address from pending to confirmed to unsubscribed', async () => {
    expect(await requestSubscription(h.deps, { ...ada, name: 'Ada' })).toBe('requested');
    expect((await h.store.get(ada.key))?.status).toBe('pending');
    const token = tokenOf(confirmUrlIn(h.mailer.sent[0] as never));

    expect(await confirmSubscription(h.deps, token)).toBe('confirmed');
    expect(await h.store.get(ada.key)).toMatchObject({ status: 'confirmed', name: 'Ada', confirmedVia: 'link' });

    const leave = tokenOf(unsubscribeUrl(h.deps, ada.key));
    expect(await unsubscribeByToken(h.deps, leave, 'one-click')).toBe('unsubscribed');
    expect(await unsubscribeByToken(h.deps, leave, 'one-click')).toBe('already-unsubscribed');
    expect(await h.store.get(ada.key)).toMatchObject({ status: 'unsubscribed', unsubscribedVia: 'one-click' });
  });

  it('does not let a confirmation link replayed after an unsubscribe put the address back', async () => {
    await requestSubscription(h.deps, ada);
    const token = tokenOf(confirmUrlIn(h.mailer.sent[0] as never));
    await confirmSubscription(h.deps, token);
    await unsubscribeByToken(h.deps, tokenOf(unsubscribeUrl(h.deps, ada.key)), 'page');

    expect(await confirmSubscription(h.deps, token)).toBe('used');
    expect((await h.store.get(ada.key))?.status).toBe('unsubscribed');
  });

  it('refuses an expired confirmation link and accepts the new one sent after the cooldown', async () => {
    await requestSubscription(h.deps, ada);
    const first = tokenOf(confirmUrlIn(h.mailer.sent[0] as never));
    later(8 * 24 * 60);

    expect(await confirmSubscription(h.deps, first)).toBe('expired');
    expect(await requestSubscription(h.deps, ada)).toBe('requested');
    expect(await confirmSubscription(h.deps, tokenOf(confirmUrlIn(h.mailer.sent[1] as never)))).toBe('confirmed');
  });

  it('sends one confirmation per cooldown however often the form is sent', async () => {
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => requestSubscription(h.deps, ada)));
    later(5);
    outcomes.push(await requestSubscription(h.deps, ada));

    expect(h.mailer.sent).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'requested')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'cooling-down')).toHaveLength(8);
  });

  it.each([
    ['throttled', new MailThrottledError('Maximum sending rate exceeded'), 'retry-later'],
    ['paused', new MailBlockedError('Sending paused for this account'), 'retry-later'],
    ['refused', new MailRejectedError('Address blacklisted'), 'mail-failed'],
  ] as const)(
    'gives the cooldown back when SES %s the mail, so a retry can send at once',
    async (_, error, outcome) => {
      h.mailer.failNext(error);

      expect(await requestSubscription(h.deps, ada)).toBe(outcome);
      expect(await requestSubscription(h.deps, ada)).toBe('requested');
      expect(h.mailer.sent).toHaveLength(1);
    },
  );

  it('retries a request SES keeps throttling every time, and mails it once SES takes it', async () => {
    // Prepare: more failures than the day's cap of confirmation mails, so a leaked count would show
    const outcomes: string[] = [];

    // Act
    for (let attempt = 0; attempt < 5; attempt++) {
      h.mailer.failNext(new MailThrottledError('Maximum sending rate exceeded'));
      outcomes.push(await requestSubscription(h.deps, ada));
    }
    outcomes.push(await requestSubscription(h.deps, ada));

    // Assess
    expect(outcomes).toEqual([...Array(5).fill('retry-later'), 'requested']);
    expect(h.mailer.sent).toHaveLength(1);
  });

  it('erases the record a request created when its mail did not go', async () => {
    // Prepare
    h.mailer.failNext(new MailThrottledError('Maximum sending rate exceeded'));

    // Act
    await requestSubscription(h.deps, ada);

    // Assess
    expect(await h.store.get(ada.key)).toBeUndefined();
  });

  it('keeps the link already mailed working when a later request could not be mailed', async () => {
    // Prepare: a reader who left asks to come back, and asks again after the cooldown while SES throttles
    await h.store.save({ ...leftReader(), version: 1 });
    await requestSubscription(h.deps, ada);
    const mailed = tokenOf(confirmUrlIn(h.mailer.sent[0] as never));
    later(15);
    h.mailer.failNext(new MailThrottledError('Maximum sending rate exceeded'));
    await requestSubscription(h.deps, ada);

    // Act
    const outcome = await confirmSubscription(h.deps, mailed);

    // Assess
    expect(outcome).toBe('confirmed');
  });

  it("keeps the cooldown when SES's answer was lost, since the mail may have gone", async () => {
    // Prepare
    h.mailer.failNext(new MailOutcomeUnknownError('socket hang up'));

    // Act
    const first = await requestSubscription(h.deps, ada);
    const again = await requestSubscription(h.deps, ada);

    // Assess
    expect([first, again]).toEqual(['mail-failed', 'cooling-down']);
    expect(h.mailer.sent).toEqual([]);
  });

  /** h.deps with a welcome sender that records whom it welcomed. */
  const withWelcome = () => {
    const welcomed: { key: string; address: string; name?: string }[] = [];
    const deps = {
      ...h.deps,
      sendWelcome: async (subscriber: (typeof welcomed)[number]) => void welcomed.push(subscriber),
    };
    return { deps, welcomed };
  };

  it('welcomes a subscriber once, on the step from pending to confirmed, however often the link is pressed', async () => {
    // Prepare
    const { deps, welcomed } = withWelcome();
    await requestSubscription(deps, { ...ada, name: 'Ada' });
    const token = tokenOf(confirmUrlIn(h.mailer.sent[0] as never));

    // Act
    const outcomes = [
      await confirmSubscription(deps, token),
      ...(await Promise.all([1, 2, 3].map(() => confirmSubscription(deps, token)))),
    ];

    // Assess
    expect(outcomes).toEqual(['confirmed', 'already-confirmed', 'already-confirmed', 'already-confirmed']);
    expect(welcomed).toEqual([{ key: ada.key, address: ada.address, name: 'Ada' }]);
  });

  it('welcomes once when two presses of the confirm button race', async () => {
    // Prepare
    const { deps, welcomed } = withWelcome();
    await requestSubscription(deps, ada);
    const token = tokenOf(confirmUrlIn(h.mailer.sent[0] as never));

    // Act
    const outcomes = await Promise.all([confirmSubscription(deps, token), confirmSubscription(deps, token)]);

    // Assess
    expect(outcomes.sort()).toEqual(['already-confirmed', 'confirmed']);
    expect(welcomed).toHaveLength(1);
  });

  it('keeps the confirmation when the welcome mail fails, and logs it', async () => {
    // Prepare
    const deps = {
      ...h.deps,
      sendWelcome: async () => {
        throw new MailRejectedError('Email address is not verified.');
      },
    };
    await requestSubscription(deps, ada);

    // Act
    const outcome = await confirmSubscription(deps, tokenOf(confirmUrlIn(h.mailer.sent[0] as never)));

    // Assess
    expect(outcome).toBe('confirmed');
    expect((await h.store.get(ada.key))?.status).toBe('confirmed');
    expect(h.logs.map((l) => l.message)).toContain('welcome request failed');
  });

  it.each([
    ['on by default', {}, ['Confirm your subscription to Harness Notes', 'Welcome to Harness Notes']],
    ['off with mail.welcomeMail: false', { welcomeMail: false }, ['Confirm your subscription to Harness Notes']],
  ])('sends the welcome mail from the real templates when %s', async (_, switchValue, subjects) => {
    // Prepare
    const mail = { ...(h.deps.site.mail as NonNullable<typeof h.deps.site.mail>), ...switchValue };
    const deps = await createSubscriptionDeps({
      store: h.store,
      mailer: h.mailer,
      site: { ...h.deps.site, mail },
      tokenKey: h.deps.tokenKey,
      mailTemplates: await loadMailTemplates(fileURLToPath(new URL('../../templates/mail', import.meta.url))),
      log: h.deps.log,
      now: () => h.clock.now,
    });
    await requestSubscription(deps, ada);
    const confirmation = await simpleParser(Buffer.from(h.mailer.sent[0]?.raw ?? []));
    const link = /https:\/\/notes\.example\/api\/confirm\?token=[^\s\]]+/.exec(confirmation.text ?? '')?.[0];

    // Act
    await confirmSubscription(deps, tokenOf(link ?? ''));
    await confirmSubscription(deps, tokenOf(link ?? ''));

    // Assess
    const sent = await Promise.all(h.mailer.sent.map((m) => simpleParser(Buffer.from(m.raw))));
    expect(sent.map((m) => m.subject)).toEqual(subjects);
  });

  describe('welcome through the queue, as deployed', () => {
    /**
     * Ada subscribes and confirms through an API that queues the welcome, as deployed: the queued request, the API's
     * deps, every request queued, and a sender that records the welcomes it sends.
     */
    const confirmedThroughQueue = async () => {
      const requests: (SubscribeRequest | WelcomeRequest)[] = [];
      const api = { ...h.deps, sendWelcome: welcomeThroughQueue({ submit: async (r) => void requests.push(r) }) };
      await requestSubscription(api, ada);
      await confirmSubscription(api, tokenOf(confirmUrlIn(h.mailer.sent[0] as never)));
      const welcomes = requests.filter((r): r is WelcomeRequest => 'kind' in r);
      return { api, welcomes, request: welcomes[0] as WelcomeRequest, ...withWelcome() };
    };

    it('sends one welcome per confirmation, however often the request is delivered', async () => {
      // Prepare
      const { welcomes, request, deps: sender, welcomed } = await confirmedThroughQueue();

      // Act
      const outcomes = [
        await handleWelcomeRequest(sender, request),
        ...(await Promise.all([1, 2].map(() => handleWelcomeRequest(sender, request)))),
      ];

      // Assess
      expect(welcomes).toEqual([{ kind: 'welcome', key: ada.key, confirmedAt: h.clock.now.toISOString() }]);
      expect(outcomes).toEqual(['sent', 'skipped', 'skipped']);
      expect(welcomed).toEqual([{ key: ada.key, address: ada.address }]);
      expect((await h.store.get(ada.key))?.welcomedAt).toBe(h.clock.now.toISOString());
    });

    it('does not welcome an address that left before the request was handled, nor with the mail off', async () => {
      // Prepare
      const { api, request, deps: sender, welcomed } = await confirmedThroughQueue();
      const { sendWelcome: _off, ...welcomeOff } = sender;

      // Act
      const off = await handleWelcomeRequest(welcomeOff, request);
      await unsubscribeByToken(api, tokenOf(unsubscribeUrl(api, ada.key)), 'one-click');
      const left = await handleWelcomeRequest(sender, request);

      // Assess
      expect([off, left]).toEqual(['skipped', 'skipped']);
      expect(welcomed).toEqual([]);
    });

    it('gives the claim back when SES throttles, so that the retry sends it', async () => {
      // Prepare
      const { request, deps: sender, welcomed } = await confirmedThroughQueue();
      const throttled = {
        ...sender,
        sendWelcome: async () => {
          throw new MailThrottledError('Maximum sending rate exceeded.');
        },
      };

      // Act
      const first = await handleWelcomeRequest(throttled, request);
      const claimAfterThrottle = (await h.store.get(ada.key))?.welcomedAt;
      const retried = await handleWelcomeRequest(sender, request);

      // Assess
      expect([first, retried]).toEqual(['retry-later', 'sent']);
      expect(claimAfterThrottle).toBeUndefined();
      expect(welcomed).toHaveLength(1);
    });
  });

  it('never leaves an address confirmed when an unsubscribe races a confirmation', async () => {
    for (let round = 0; round < 15; round++) {
      const key = `racer${round}@example.org`;
      await requestSubscription(h.deps, { address: key, key, via: 'form' });
      const confirm = tokenOf(confirmUrlIn(h.mailer.sent.at(-1) as never));
      const leave = tokenOf(unsubscribeUrl(h.deps, key));

      const [confirmed, left] = await Promise.all([
        confirmSubscription(h.deps, confirm),
        unsubscribeByToken(h.deps, leave, 'one-click'),
      ]);

      expect(left).toBe('unsubscribed');
      expect(['confirmed', 'used']).toContain(confirmed);
      expect((await h.store.get(key))?.status).toBe('unsubscribed');
    }
  });

  it('keeps one record whichever order concurrent subscribes and unsubscribes of one address land in', async () => {
    await requestSubscription(h.deps, ada);
    await confirmSubscription(h.deps, tokenOf(confirmUrlIn(h.mailer.sent[0] as never)));
    later(60);
    const leave = tokenOf(unsubscribeUrl(h.deps, ada.key));

    await Promise.all([
      ...Array.from({ length: 5 }, () => unsubscribeByToken(h.deps, leave, 'one-click')),
      ...Array.from({ length: 5 }, () => requestSubscription(h.deps, ada)),
    ]);

    const stored = await h.store.get(ada.key);
    // Subscribing never confirms by itself, so once any unsubscribe has run the address is off the list.
    expect(stored?.status).toBe('unsubscribed');
    expect(await countSubscribers(h.store)).toEqual({ pending: 0, confirmed: 0, unsubscribed: 1, suppressed: 0 });
  });

  it('suppresses on a permanent bounce or a complaint and counts transient bounces', async () => {
    for (const key of ['bounce@example.org', 'complaint@example.org', 'soft@example.org']) {
      await importSubscribers(h.store, [{ line: 2, address: key, key, status: 'confirmed' }], {
        now: h.clock.now,
        file: 'seed.csv',
        attested: true,
      });
    }

    await applyFeedback(h.deps, [
      { kind: 'permanent-bounce', address: 'bounce@example.org', at: '2026-11-21T10:00:00Z', detail: 'General' },
      { kind: 'complaint', address: 'complaint@example.org', at: '2026-11-21T10:00:00Z', detail: 'abuse' },
      { kind: 'transient-bounce', address: 'soft@example.org', at: '2026-11-21T10:00:00Z', detail: 'MailboxFull' },
      { kind: 'transient-bounce', address: 'soft@example.org', at: '2026-11-22T10:00:00Z', detail: 'MailboxFull' },
    ]);

    expect(await h.store.get('bounce@example.org')).toMatchObject({ status: 'suppressed', suppressedReason: 'bounce' });
    expect(await h.store.get('complaint@example.org')).toMatchObject({
      status: 'suppressed',
      suppressedReason: 'complaint',
    });
    expect(await h.store.get('soft@example.org')).toMatchObject({
      status: 'confirmed',
      softBounces: expect.any(Array),
    });
  });

  it('never mails a suppressed address again, and says the same to its visitor', async () => {
    await applyFeedback(h.deps, [
      { kind: 'complaint', address: ada.address, at: '2026-11-21T10:00:00Z', detail: 'abuse' },
    ]);

    expect(await requestSubscription(h.deps, ada)).toBe('suppressed');
    expect(h.mailer.sent).toHaveLength(0);
  });

  it('imports rows concurrently with the same guarantees, and skips suppressed addresses', async () => {
    await applyFeedback(h.deps, [
      { kind: 'complaint', address: 'row7@example.org', at: '2026-11-21T10:00:00Z', detail: '' },
    ]);
    const rows: ImportRow[] = Array.from({ length: 300 }, (_, i) => ({
      line: i + 2,
      address: `row${i}@example.org`,
      key: `row${i}@example.org`,
      status: 'confirmed',
    }));

    const counts = await importSubscribers(h.store, rows, { now: h.clock.now, file: 'rows.csv', attested: true });
    const again = await importSubscribers(h.store, rows, { now: h.clock.now, file: 'rows.csv', attested: true });

    expect(counts['added-confirmed']).toBe(299);
    expect(counts['skipped-suppressed']).toBe(1);
    expect(again.unchanged).toBe(299);
    expect(await countSubscribers(h.store)).toEqual({ pending: 0, confirmed: 299, unsubscribed: 0, suppressed: 1 });
    const confirmed: string[] = [];
    for await (const page of h.store.list({ status: 'confirmed' })) confirmed.push(...page.map((s) => s.key));
    expect(new Set(confirmed).size).toBe(299);
  });

  it('removes an address as a suppression record, or erases it', async () => {
    await requestSubscription(h.deps, ada);

    expect(await removeSubscriber(h.store, 'ADA@example.org', { erase: false, now: h.clock.now })).toBe('removed');
    expect((await h.store.get(ada.key))?.status).toBe('unsubscribed');
    expect(await removeSubscriber(h.store, 'ada@example.org', { erase: true, now: h.clock.now })).toBe('erased');
    expect(await h.store.get(ada.key)).toBeUndefined();
  });
});
