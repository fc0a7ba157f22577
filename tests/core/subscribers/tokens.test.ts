/**
 * Properties of sealed tokens, checked with fast-check and by example:
 * - a token verifies, for its own purpose, to exactly the claims it was signed with;
 * - changing any single character of a token makes it fail (never verify to other claims);
 * - a token signed with another key, or checked for the other purpose, fails;
 * - a confirmation token stops working at its expiry instant, an unsubscribe token never does;
 * - a token shows nothing of the address it carries.
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

describe('sealed tokens', () => {
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

  it('refuses a token whose sealed claims were spliced onto the tag of another', () => {
    // Prepare: the IV and ciphertext of one token with the tag of another sealed for a different address
    const mine = Buffer.from(signToken(key, { purpose: 'unsubscribe', key: 'mallory@example.org' }), 'base64url');
    const theirs = Buffer.from(signToken(key, { purpose: 'unsubscribe', key: 'ada@example.org' }), 'base64url');
    const spliced = Buffer.concat([mine.subarray(0, -16), theirs.subarray(-16)]).toString('base64url');

    // Act, Assess
    expect(verifyToken(key, spliced, 'unsubscribe', now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('shows nothing of the address, in any spelling', () => {
    // Prepare
    const address = 'ada.lovelace@example.org';

    // Act
    const token = signToken(key, { purpose: 'unsubscribe', key: address });

    // Assess: neither the token, nor its bytes, nor the base64 of the address at any of the three alignments
    const bytes = Buffer.from(token, 'base64url');
    expect(bytes.includes(Buffer.from('lovelace'))).toBe(false);
    for (const shift of ['', 'x', 'xx']) {
      const aligned = Buffer.from(shift + address)
        .toString('base64url')
        .slice(4, 16);
      expect(token).not.toContain(aligned);
    }
    expect(token.toLowerCase()).not.toContain('lovelace');
  });

  it('gives addresses of different lengths tokens of one length, up to the padding', () => {
    // Act
    const lengths = new Set(
      ['a@b.io', 'ada@example.org', 'ada.lovelace@analytical.example'].map(
        (address) => signToken(key, { purpose: 'unsubscribe', key: address }).length,
      ),
    );

    // Assess: 12 bytes of IV, 64 of padded claims and 16 of tag, in base64url
    expect(lengths).toEqual(new Set([123]));
  });

  it('seals the same claims differently each time, and both open', () => {
    // Act
    const first = signToken(key, { purpose: 'unsubscribe', key: 'ada@example.org' });
    const second = signToken(key, { purpose: 'unsubscribe', key: 'ada@example.org' });

    // Assess
    expect(first).not.toBe(second);
    expect(verifyToken(key, first, 'unsubscribe', now).ok).toBe(true);
    expect(verifyToken(key, second, 'unsubscribe', now).ok).toBe(true);
  });

  it('refuses a second spelling of a valid token made with the unused bits of its last character', () => {
    // Prepare: a token whose length in bytes leaves unused bits in its last base64url character
    let token = '';
    for (let length = 3; token === '' || Buffer.from(token, 'base64url').length % 3 === 0; length++) {
      token = signToken(key, { purpose: 'unsubscribe', key: `${'a'.repeat(length)}@example.org` });
    }
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1) ?? '');
    const respelled = token.slice(0, -1) + alphabet[last ^ 1];

    // Act, Assess: both spellings decode to the same bytes, and only the canonical one is accepted
    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(token, 'base64url'))).toBe(true);
    expect(verifyToken(key, token, 'unsubscribe', now).ok).toBe(true);
    expect(verifyToken(key, respelled, 'unsubscribe', now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['empty', ''],
    ['dotted', 'eyJwIjoiY29uZmlybSJ9.abc'],
    ['too short to hold an IV and a tag', 'A'.repeat(37)],
    ['spaces', 'a b'],
    ['over-long', 'a'.repeat(2000)],
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
