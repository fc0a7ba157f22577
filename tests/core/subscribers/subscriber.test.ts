import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  decideConfirm,
  decideImport,
  decideRemove,
  decideSoftBounce,
  decideSubscribe,
  decideSuppress,
  decideUndoRequest,
  decideUnsubscribe,
  type ImportRow,
  type Subscriber,
} from '../../../functions/core/subscribers/subscriber.ts';

const now = new Date('2026-11-21T10:00:00Z');
const minutesLater = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const ada = { address: 'Ada@example.org', key: 'ada@example.org' };

const record = (fields: Partial<Subscriber> = {}): Subscriber => ({
  ...ada,
  status: 'pending',
  subscribedAt: '2026-11-01T00:00:00.000Z',
  subscribedVia: 'form',
  version: 3,
  ...fields,
});

const subscribe = (current: Subscriber | undefined, at = now, nonce = 'n-new') =>
  decideSubscribe(current, { ...ada, name: 'Ada', via: 'form' }, { now: at, nonce, policy: DEFAULT_POLICY });

describe('decideSubscribe', () => {
  it('stores a new address as pending with consent and asks for confirmation', () => {
    const decision = subscribe(undefined);

    expect(decision).toEqual({
      outcome: 'requested',
      sendConfirmation: true,
      next: {
        ...ada,
        name: 'Ada',
        status: 'pending',
        subscribedAt: now.toISOString(),
        subscribedVia: 'form',
        confirmNonce: 'n-new',
        confirmSentAt: now.toISOString(),
        confirmSends: [now.toISOString()],
        version: 1,
      },
    });
  });

  it('sends nothing again within the cooldown', () => {
    const current = record({ confirmNonce: 'n1', confirmSentAt: now.toISOString() });

    expect(subscribe(current, minutesLater(9))).toEqual({ outcome: 'cooling-down' });
  });

  it('resends a pending confirmation after the cooldown, keeping its link', () => {
    const current = record({ confirmNonce: 'n1', confirmSentAt: now.toISOString() });

    const decision = subscribe(current, minutesLater(11), 'n-other');

    expect(decision.sendConfirmation).toBe(true);
    expect(decision.next).toMatchObject({ status: 'pending', confirmNonce: 'n1', version: 4 });
  });

  it.each([
    ['confirmed', 'already-confirmed'],
    ['suppressed', 'suppressed'],
  ] as const)('does nothing for a %s address', (status, outcome) => {
    expect(subscribe(record({ status }))).toEqual({ outcome });
  });

  it('asks an unsubscribed address to confirm again, keeping it and its consent record as they were until then', () => {
    const current = record({ status: 'unsubscribed', name: 'Ada', unsubscribedAt: '2026-11-10T00:00:00.000Z' });

    const decision = decideSubscribe(
      current,
      { ...ada, name: 'Someone Else', via: 'api' },
      { now, nonce: 'n-new', policy: DEFAULT_POLICY },
    );

    expect(decision.sendConfirmation).toBe(true);
    expect(decision.next).toMatchObject({
      status: 'unsubscribed',
      name: 'Ada',
      subscribedAt: current.subscribedAt,
      subscribedVia: 'form',
      confirmNonce: 'n-new',
      request: { at: now.toISOString(), via: 'api', name: 'Someone Else' },
    });
  });

  it('makes the confirmed request of a returning address its consent record', () => {
    const current = record({
      status: 'unsubscribed',
      unsubscribedAt: '2026-11-10T00:00:00.000Z',
      confirmNonce: 'n2',
      request: { at: '2026-11-20T00:00:00.000Z', via: 'api', name: 'Ada L.' },
    });

    const next = decideConfirm(current, 'n2', now).next;

    expect(next).toMatchObject({
      status: 'confirmed',
      subscribedAt: '2026-11-20T00:00:00.000Z',
      subscribedVia: 'api',
      name: 'Ada L.',
    });
    expect(next).not.toHaveProperty('request');
  });

  it('lets no stranger change the name of a pending address', () => {
    const decision = decideSubscribe(
      record({ name: 'Ada' }),
      { ...ada, name: 'Mallory', via: 'form' },
      { now, nonce: 'n', policy: DEFAULT_POLICY },
    );

    expect(decision.next?.name).toBe('Ada');
  });

  it('sends at most three confirmations a day to one address, whatever the cooldown', () => {
    let current: Subscriber | undefined;
    const outcomes: string[] = [];
    for (const minutes of [0, 20, 40, 60, 80, 24 * 60 + 1]) {
      const decision = subscribe(current, minutesLater(minutes));
      outcomes.push(decision.outcome);
      current = decision.next ?? current;
    }

    expect(outcomes).toEqual(['requested', 'requested', 'requested', 'cooling-down', 'cooling-down', 'requested']);
  });
});

describe('decideUndoRequest', () => {
  it('puts back the record as it was before a request whose mail did not go, as a new version', () => {
    const before = record({
      status: 'unsubscribed',
      confirmNonce: 'n-old',
      confirmSends: ['2026-11-21T09:00:00.000Z'],
    });
    const written = subscribe(before, minutesLater(0)).next as Subscriber;

    expect(decideUndoRequest(written, written, before)).toEqual({
      outcome: 'undone',
      next: { ...before, version: written.version + 1 },
    });
  });

  it('erases a record the request created', () => {
    const written = subscribe(undefined).next as Subscriber;

    expect(decideUndoRequest(written, written, undefined)).toEqual({ outcome: 'undone', erase: true });
  });

  it('leaves a record alone once anything else has written it', () => {
    const written = subscribe(undefined).next as Subscriber;
    const confirmed = decideConfirm(written, written.confirmNonce as string, now).next as Subscriber;

    expect(decideUndoRequest(confirmed, written, undefined)).toEqual({ outcome: 'kept' });
    expect(decideUndoRequest(undefined, written, undefined)).toEqual({ outcome: 'kept' });
  });
});

describe('decideConfirm', () => {
  it('confirms with the latest link and forgets the nonce', () => {
    const decision = decideConfirm(record({ confirmNonce: 'n1', confirmSentAt: now.toISOString() }), 'n1', now);

    expect(decision.outcome).toBe('confirmed');
    expect(decision.next).toMatchObject({ status: 'confirmed', confirmedAt: now.toISOString(), confirmedVia: 'link' });
    expect(decision.next).not.toHaveProperty('confirmNonce');
    expect(decision.next).not.toHaveProperty('confirmSentAt');
  });

  it('re-confirms an unsubscribed address that asked again', () => {
    const current = record({
      status: 'unsubscribed',
      unsubscribedAt: 'x',
      unsubscribedVia: 'page',
      confirmNonce: 'n2',
    });

    const decision = decideConfirm(current, 'n2', now);

    expect(decision.next).toMatchObject({ status: 'confirmed' });
    expect(decision.next).not.toHaveProperty('unsubscribedAt');
  });

  it.each([
    ['a replay after confirming', record({ status: 'confirmed' }), 'already-confirmed'],
    ['an old link replayed after unsubscribing', record({ status: 'unsubscribed' }), 'used'],
    ['a link of an earlier request', record({ confirmNonce: 'n2' }), 'used'],
    ['a suppressed address', record({ status: 'suppressed', confirmNonce: 'n1' }), 'suppressed'],
    ['an erased address', undefined, 'unknown'],
  ])('changes nothing for %s', (_, current, outcome) => {
    expect(decideConfirm(current, 'n1', now)).toEqual({ outcome });
  });
});

describe('decideUnsubscribe', () => {
  it.each(['pending', 'confirmed'] as const)('unsubscribes a %s address and keeps the record', (status) => {
    const decision = decideUnsubscribe(record({ status, confirmNonce: 'n1' }), 'one-click', now);

    expect(decision.outcome).toBe('unsubscribed');
    expect(decision.next).toMatchObject({
      status: 'unsubscribed',
      unsubscribedAt: now.toISOString(),
      unsubscribedVia: 'one-click',
    });
    expect(decision.next).not.toHaveProperty('confirmNonce');
  });

  it('is harmless when repeated', () => {
    expect(decideUnsubscribe(record({ status: 'unsubscribed' }), 'one-click', now)).toEqual({
      outcome: 'already-unsubscribed',
    });
  });

  it('withdraws a pending re-subscription of an unsubscribed address', () => {
    const decision = decideUnsubscribe(record({ status: 'unsubscribed', confirmNonce: 'n2' }), 'page', now);

    expect(decision.next).not.toHaveProperty('confirmNonce');
    expect(decision.next?.status).toBe('unsubscribed');
  });

  it('keeps a suppressed address suppressed', () => {
    expect(decideUnsubscribe(record({ status: 'suppressed' }), 'page', now).next).toBeUndefined();
  });
});

describe('feedback decisions', () => {
  it('suppresses an address it has never seen, so nothing adds it later', () => {
    const decision = decideSuppress(undefined, ada, { reason: 'complaint', detail: 'abuse' }, now);

    expect(decision.next).toMatchObject({ ...ada, status: 'suppressed', suppressedReason: 'complaint', version: 1 });
  });

  it('suppresses after the third transient bounce inside the window, not before', () => {
    let current: Subscriber | undefined = record({ status: 'confirmed' });
    const outcomes: string[] = [];
    for (const day of [0, 5, 10]) {
      const decision = decideSoftBounce(
        current,
        'MailboxFull',
        new Date(now.getTime() + day * 86_400_000),
        DEFAULT_POLICY,
      );
      outcomes.push(decision.outcome);
      current = decision.next ?? current;
    }

    expect(outcomes).toEqual(['counted', 'counted', 'suppressed']);
    expect(current?.status).toBe('suppressed');
  });

  it('forgets transient bounces older than the window', () => {
    const old = new Date(now.getTime() - 40 * 86_400_000).toISOString();
    const current = record({ status: 'confirmed', softBounces: [old, old] });

    const decision = decideSoftBounce(current, 'MailboxFull', now, DEFAULT_POLICY);

    expect(decision.outcome).toBe('counted');
    expect(decision.next?.softBounces).toEqual([now.toISOString()]);
  });
});

describe('decideRemove', () => {
  it('keeps a removed address as a suppression record unless asked to erase it', () => {
    expect(decideRemove(record({ status: 'confirmed' }), false, now).next?.status).toBe('unsubscribed');
    expect(decideRemove(record({ status: 'confirmed' }), true, now)).toEqual({ outcome: 'erased', erase: true });
  });
});

describe('decideImport', () => {
  const row = (fields: Partial<ImportRow> = {}): ImportRow => ({ line: 2, ...ada, status: 'confirmed', ...fields });
  const context = (attested: boolean) => ({ now, file: 'list.csv', attested });

  it.each([
    ['a confirmed row without attested consent', undefined, row(), false, 'added-pending', 'pending'],
    ['a confirmed row with attested consent', undefined, row(), true, 'added-confirmed', 'confirmed'],
    ['an unsubscribed row', undefined, row({ status: 'unsubscribed' }), true, 'added-suppression', 'unsubscribed'],
    ['a cleaned row', undefined, row({ status: 'suppressed' }), true, 'added-suppression', 'suppressed'],
    ['an attested row for a pending address', record(), row(), true, 'confirmed', 'confirmed'],
    [
      'an unsubscribed row for a confirmed address',
      record({ status: 'confirmed' }),
      row({ status: 'unsubscribed' }),
      true,
      'suppressed-existing',
      'unsubscribed',
    ],
  ] as const)('imports %s', (_, current, importRow, attested, outcome, status) => {
    const decision = decideImport(current, importRow, context(attested));

    expect(decision.outcome).toBe(outcome);
    expect(decision.next?.status).toBe(status);
  });

  it.each(['unsubscribed', 'suppressed'] as const)('never re-adds a %s address', (status) => {
    expect(decideImport(record({ status }), row(), context(true))).toEqual({ outcome: 'skipped-suppressed' });
  });

  it('leaves a confirmed address as it is', () => {
    expect(decideImport(record({ status: 'confirmed' }), row(), context(true))).toEqual({ outcome: 'unchanged' });
  });

  it('keeps the consent times the export carried', () => {
    const decision = decideImport(
      undefined,
      row({ subscribedAt: '2020-01-01T00:00:00.000Z', confirmedAt: '2020-01-02T00:00:00.000Z' }),
      context(true),
    );

    expect(decision.next).toMatchObject({
      subscribedAt: '2020-01-01T00:00:00.000Z',
      subscribedVia: 'import:list.csv',
      confirmedAt: '2020-01-02T00:00:00.000Z',
      confirmedVia: 'import-attested',
    });
  });
});
