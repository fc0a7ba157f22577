/**
 * Properties of the token key ring, checked with fast-check and by example:
 * - a token sealed with any key of the ring that is not past its `acceptUntil` opens, to the same claims;
 * - a token sealed with a key the ring dropped (expired, or never in it) does not;
 * - new tokens are sealed with the newest key only;
 * - the plain-string secret of stacks deployed before rings is a ring of one, and tokens it sealed still open after
 *   a rotation;
 * - a rotation keeps the replaced key for its days, drops the expired ones, and never puts a key in an error message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/core/errors.ts';
import {
  formatTokenKeys,
  readTokenKeys,
  rotateTokenKeys,
  type StoredTokenKeys,
  toTokenKeyRing,
} from '../../../functions/core/subscribers/token-key-ring.ts';
import { signToken, verifyToken } from '../../../functions/core/subscribers/tokens.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const now = new Date('2026-12-01T12:00:00Z');
const bytes = (text: string) => new TextEncoder().encode(text);
// A plain key starting with "{" would read as a ring; the stack's keys have no punctuation, the CLI's none of that.
const keyText = fc
  .string({ minLength: 32, maxLength: 80, unit: 'grapheme-ascii' })
  .filter((text) => !text.trimStart().startsWith('{'));

/**
 * A history of rotations from a plain-string key: key i (i >= 1) was added at `rotatedAt[i]`, seals from
 * `sealsFrom[i]` = that plus `sealAfterHours`, and the key before it opens until `sealsFrom[i]` plus `keepDays`.
 * The ring is read, and tokens are opened, at `readAt`, anywhere from before the last rotation to long after it.
 */
const history = fc
  .record({
    keys: fc.uniqueArray(keyText, { minLength: 2, maxLength: 6 }),
    gapsDays: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 6, maxLength: 6 }),
    keepDays: fc.integer({ min: 1, max: 400 }),
    sealAfterHours: fc.integer({ min: 0, max: 72 }),
    readAfterHours: fc.integer({ min: -24, max: 24 * 800 }),
    claims: fc.record({ purpose: fc.constantFrom('confirm', 'unsubscribe' as const), key: fc.emailAddress() }),
  })
  .map(({ keys, gapsDays, keepDays, sealAfterHours, readAfterHours, claims }) => {
    let stored: StoredTokenKeys = readTokenKeys(keys[0] as string, 'TokenKey');
    let at = now.getTime();
    const sealsFrom = [Number.NEGATIVE_INFINITY];
    for (const [i, key] of keys.slice(1).entries()) {
      at += (gapsDays[i] ?? 0) * DAY;
      stored = rotateTokenKeys(stored, { newKey: key, now: new Date(at), keepDays, sealAfterHours });
      sealsFrom.push(at + sealAfterHours * HOUR);
    }
    const readAt = new Date(at + readAfterHours * HOUR);
    // The model: a key opens while it is the newest, or until keepDays after the next key started sealing.
    const opens = keys.map(
      (_, i) => i === keys.length - 1 || readAt.getTime() < (sealsFrom[i + 1] as number) + keepDays * DAY,
    );
    const sealing = sealsFrom.findLastIndex((from) => from <= readAt.getTime());
    return { stored, keys, opens, sealing, readAt, claims };
  });

describe('token key ring', () => {
  it('opens a token sealed with a key exactly while that key is the newest or within its kept days', () => {
    fc.assert(
      fc.property(history, ({ stored, keys, opens, readAt, claims }) => {
        const ring = toTokenKeyRing(stored, readAt);
        for (const [i, key] of keys.entries()) {
          const check = verifyToken(ring, signToken(bytes(key), claims), claims.purpose, readAt);
          expect(check).toEqual(opens[i] ? { ok: true, claims } : { ok: false, reason: 'forged' });
        }
      }),
    );
  });

  it('seals new tokens with the newest key whose sealing has begun, and with no other', () => {
    fc.assert(
      fc.property(history, ({ stored, keys, sealing, readAt, claims }) => {
        const token = signToken(toTokenKeyRing(stored, readAt), claims);
        for (const [i, key] of keys.entries())
          expect(verifyToken(bytes(key), token, claims.purpose, readAt).ok).toBe(i === sealing);
      }),
    );
  });

  it('refuses a token sealed with a key that was never in the ring', () => {
    fc.assert(
      fc.property(history, keyText, ({ stored, keys, readAt, claims }, stranger) => {
        fc.pre(!keys.includes(stranger));
        const check = verifyToken(
          toTokenKeyRing(stored, readAt),
          signToken(bytes(stranger), claims),
          claims.purpose,
          readAt,
        );
        expect(check).toEqual({ ok: false, reason: 'forged' });
      }),
    );
  });

  it('keeps opening a replaced key’s tokens in a function that read the ring before, until acceptUntil', () => {
    // Prepare: the ring read at a cold start, then a rotation whose new key this warm function never sees.
    const old = 'o'.repeat(64);
    const rotated = rotateTokenKeys(readTokenKeys(old, 'TokenKey'), { newKey: 'n'.repeat(64), now, keepDays: 30 });
    const ring = toTokenKeyRing(rotated, new Date(now.getTime() + 2 * DAY));
    const token = signToken(bytes(old), { purpose: 'unsubscribe', key: 'ada@example.org' });
    const end = now.getTime() + DAY + 30 * DAY;

    // Act
    const before = verifyToken(ring, token, 'unsubscribe', new Date(end - 1));
    const at = verifyToken(ring, token, 'unsubscribe', new Date(end));

    // Assess
    expect(before.ok).toBe(true);
    expect(at).toEqual({ ok: false, reason: 'forged' });
  });

  it('lets a function that read the ring before a rotation seal with the old key, which every newer reader opens', () => {
    // Prepare
    const old = 'o'.repeat(64);
    const warm = toTokenKeyRing(readTokenKeys(old, 'TokenKey'), now);
    const rotated = rotateTokenKeys(readTokenKeys(old, 'TokenKey'), { newKey: 'n'.repeat(64), now, keepDays: 365 });

    // Act
    const token = signToken(warm, { purpose: 'confirm', key: 'ada@example.org', nonce: 'n1' });
    const laterReaders = [1, 25, 24 * 300].map((hours) =>
      toTokenKeyRing(rotated, new Date(now.getTime() + hours * HOUR)),
    );

    // Assess
    for (const reader of laterReaders) expect(verifyToken(reader, token, 'confirm', now).ok).toBe(true);
  });
});

describe('reading the secret', () => {
  it('reads the plain string of a stack deployed before key rings as a ring of one, whose tokens open as before', () => {
    // Prepare
    const plain = `${'Ab3'.repeat(21)}x`;
    const token = signToken(bytes(plain), { purpose: 'unsubscribe', key: 'ada@example.org' });

    // Act
    const stored = readTokenKeys(plain, 'TokenKey');
    const rotated = rotateTokenKeys(stored, { newKey: 'n'.repeat(64), now, keepDays: 365 });
    const reread = readTokenKeys(formatTokenKeys(rotated), 'TokenKey');

    // Assess
    expect(stored).toEqual({ keys: [{ key: plain }] });
    expect(verifyToken(toTokenKeyRing(stored, now), token, 'unsubscribe', now).ok).toBe(true);
    expect(reread).toEqual(rotated);
    const muchLater = new Date(now.getTime() + 300 * DAY);
    expect(verifyToken(toTokenKeyRing(reread, muchLater), token, 'unsubscribe', muchLater).ok).toBe(true);
  });

  const k = 'k'.repeat(40);
  it.each([
    ['a plain key that is too short', 'short'],
    ['JSON that does not parse', '{"format":'],
    ['another format', `{"format":"x","keys":[{"key":"${k}"}]}`],
    ['no keys', '{"format":"feedmail-token-keys-v1","keys":[]}'],
    ['a short key', '{"format":"feedmail-token-keys-v1","keys":[{"key":"kkk"}]}'],
    ['a date that is not one', `{"format":"feedmail-token-keys-v1","keys":[{"key":"${k}","acceptUntil":"soon"}]}`],
    [
      'an oldest key that seals only later',
      `{"format":"feedmail-token-keys-v1","keys":[{"key":"${k}","sealsFrom":"2026-12-01T00:00:00Z"}]}`,
    ],
  ])('refuses %s with a ConfigError naming the secret and no key', (_name, text) => {
    // Act
    const error = (() => {
      try {
        readTokenKeys(text, 'arn:aws:secretsmanager:eu-west-1:1:secret:TokenKey');
      } catch (caught) {
        return caught as Error;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('arn:aws:secretsmanager:eu-west-1:1:secret:TokenKey');
    expect(error?.message).not.toMatch(/kkkkkkkk/);
  });

  it('names every problem of a ring at once', () => {
    const text = JSON.stringify({ format: 'x', keys: [{ key: 'x', sealsFrom: 'later' }] });

    expect(() => readTokenKeys(text, 'TokenKey')).toThrow(
      /"format".*; "keys\[0\]\.key".*; "keys\[0\]\.sealsFrom".*; the oldest key must have no "sealsFrom"/,
    );
  });
});

describe('rotating', () => {
  const stored: StoredTokenKeys = {
    keys: [
      { key: 'c'.repeat(64), sealsFrom: '2026-06-02T00:00:00.000Z' },
      { key: 'p'.repeat(64), sealsFrom: '2025-06-02T00:00:00.000Z', acceptUntil: '2027-06-01T00:00:00.000Z' },
      { key: 'e'.repeat(64), acceptUntil: '2026-06-01T00:00:00.000Z' },
    ],
  };

  it('adds a key that seals a day later, keeps the one it replaces a year after that, drops expired keys', () => {
    expect(rotateTokenKeys(stored, { newKey: 'n'.repeat(64), now, keepDays: 365 })).toEqual({
      keys: [
        { key: 'n'.repeat(64), sealsFrom: '2026-12-02T12:00:00.000Z' },
        { key: 'c'.repeat(64), sealsFrom: '2026-06-02T00:00:00.000Z', acceptUntil: '2027-12-02T12:00:00.000Z' },
        // The oldest key left seals from the start, so a ring always has a key that seals.
        { key: 'p'.repeat(64), acceptUntil: '2027-06-01T00:00:00.000Z' },
      ],
    });
  });

  it('seals with the new key at once and keeps no old key with keepDays 0 (a leaked key)', () => {
    expect(rotateTokenKeys(stored, { newKey: 'n'.repeat(64), now, keepDays: 0 })).toEqual({
      keys: [{ key: 'n'.repeat(64) }],
    });
  });

  it.each([
    ['a short new key', { newKey: 'short', keepDays: 1 }],
    ['a key already in the ring', { newKey: 'p'.repeat(64), keepDays: 1 }],
    ['negative days', { newKey: 'n'.repeat(64), keepDays: -1 }],
    ['negative hours', { newKey: 'n'.repeat(64), keepDays: 1, sealAfterHours: -1 }],
  ])('refuses %s', (_name, options) => {
    expect(() => rotateTokenKeys(stored, { ...options, now })).toThrow(ConfigError);
  });
});
