/**
 * Properties of signed tokens, checked with fast-check:
 * - a token verifies, for its own purpose, to exactly the claims it was signed with;
 * - changing any single character of a token makes it fail (never verify to other claims);
 * - a token signed with another key, or checked for the other purpose, fails;
 * - a confirmation token stops working at its expiry instant, an unsubscribe token never does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signToken, type TokenPurpose, verifyToken } from '../../../functions/core/subscribers/tokens.ts';

const key = new TextEncoder().encode('k'.repeat(64));
const otherKey = new TextEncoder().encode('o'.repeat(64));
const now = new Date('2026-11-21T10:00:00Z');
const purposes: TokenPurpose[] = ['confirm', 'unsubscribe'];

const claims = fc.record({
  purpose: fc.constantFrom(...purposes),
  key: fc.string({ minLength: 3, maxLength: 254 }),
  nonce: fc.option(fc.uuid(), { nil: undefined }),
});

describe('signed tokens', () => {
  it('verifies a token to the claims it was signed with', () => {
    fc.assert(
      fc.property(claims, (c) => {
        const token = signToken(key, { purpose: c.purpose, key: c.key, ...(c.nonce ? { nonce: c.nonce } : {}) });
        const check = verifyToken(key, token, c.purpose, now);
        expect(check).toEqual({
          ok: true,
          claims: { purpose: c.purpose, key: c.key, ...(c.nonce ? { nonce: c.nonce } : {}) },
        });
      }),
    );
  });

  it('refuses a token with any one character changed', () => {
    fc.assert(
      fc.property(claims, fc.nat(), fc.constantFrom(...'ABCDQgw_-.x0'), (c, at, replacement) => {
        const token = signToken(key, { purpose: c.purpose, key: c.key });
        const index = at % token.length;
        fc.pre(token[index] !== replacement);
        const tampered = token.slice(0, index) + replacement + token.slice(index + 1);
        expect(verifyToken(key, tampered, c.purpose, now).ok).toBe(false);
      }),
    );
  });

  it('refuses a token signed with another key', () => {
    const token = signToken(otherKey, { purpose: 'unsubscribe', key: 'ada@example.org' });

    expect(verifyToken(key, token, 'unsubscribe', now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a token used for the other purpose', () => {
    const token = signToken(key, { purpose: 'confirm', key: 'ada@example.org', nonce: 'n1' });

    expect(verifyToken(key, token, 'unsubscribe', now)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('refuses a token whose payload was swapped for another address, keeping the signature', () => {
    const mine = signToken(key, { purpose: 'unsubscribe', key: 'mallory@example.org' });
    const payload = Buffer.from(JSON.stringify({ p: 'unsubscribe', k: 'ada@example.org' })).toString('base64url');
    const forged = `${payload}.${mine.split('.')[1]}`;

    expect(verifyToken(key, forged, 'unsubscribe', now)).toEqual({ ok: false, reason: 'forged' });
  });

  it.each([
    ['empty', ''],
    ['no signature', 'eyJwIjoiY29uZmlybSJ9'],
    ['short signature', 'eyJwIjoiY29uZmlybSJ9.abc'],
    ['spaces', 'a b.c'],
    ['over-long', `${'a'.repeat(2000)}.${'b'.repeat(43)}`],
  ])('calls a %s token malformed', (_, token) => {
    expect(verifyToken(key, token, 'confirm', now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('expires a confirmation token at its expiry instant and not before', () => {
    const expiresAt = new Date(now.getTime() + 7 * 24 * 3600 * 1000);
    const token = signToken(key, { purpose: 'confirm', key: 'ada@example.org', nonce: 'n1', expiresAt });

    expect(verifyToken(key, token, 'confirm', new Date(expiresAt.getTime() - 1000)).ok).toBe(true);
    expect(verifyToken(key, token, 'confirm', expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps an unsubscribe token working years later', () => {
    const token = signToken(key, { purpose: 'unsubscribe', key: 'ada@example.org' });

    expect(verifyToken(key, token, 'unsubscribe', new Date('2046-01-01T00:00:00Z')).ok).toBe(true);
  });
});
