/**
 * Signed tokens for the links in mail: `<payload>.<signature>`, both base64url, the signature an HMAC-SHA256 of the
 * payload under a key that only the deployed stack knows (a generated secret; see cdk/constructs/subscription-api.ts).
 *
 * A token is bound to one address and one purpose, so a confirmation link cannot unsubscribe and a link for one
 * address cannot act on another. Confirmation tokens also carry the nonce of the request they answer (so only the
 * latest request's link works, once) and expire; unsubscribe tokens never expire, because an old digest's link must
 * still let its reader leave.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'confirm' | 'unsubscribe';

export interface TokenClaims {
  purpose: TokenPurpose;
  /** The subscriber's key (the lower-cased address). */
  key: string;
  /** Confirmation tokens: the nonce of the request they confirm. */
  nonce?: string;
  /** Confirmation tokens: when the link stops working. */
  expiresAt?: Date;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'forged' | 'wrong-purpose' | 'expired' };

/** The tokens stay well inside URL limits: an address is at most 254 characters. */
const MAX_TOKEN_LENGTH = 1024;

/** Versioned and domain-separated, so a key reused elsewhere cannot produce valid tokens here. */
const CONTEXT = 'feedmail-token-v1.';

interface Payload {
  p: TokenPurpose;
  k: string;
  n?: string;
  x?: number;
}

const sign = (key: Uint8Array, payload: string): Buffer =>
  createHmac('sha256', key)
    .update(CONTEXT + payload)
    .digest();

/**
 * Signs claims into a URL-safe token.
 * @example signToken(key, { purpose: 'unsubscribe', key: 'ada@example.org' }) // 'eyJwIjoidW5zdWJzY3JpYmUi….Qm9…'
 */
export const signToken = (key: Uint8Array, claims: TokenClaims): string => {
  const payload: Payload = {
    p: claims.purpose,
    k: claims.key,
    ...(claims.nonce === undefined ? {} : { n: claims.nonce }),
    ...(claims.expiresAt === undefined ? {} : { x: Math.floor(claims.expiresAt.getTime() / 1000) }),
  };
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encoded}.${sign(key, encoded).toString('base64url')}`;
};

const isPayload = (value: unknown): value is Payload => {
  if (typeof value !== 'object' || value === null) return false;
  const { p, k, n, x } = value as Record<string, unknown>;
  return (
    (p === 'confirm' || p === 'unsubscribe') &&
    typeof k === 'string' &&
    (n === undefined || typeof n === 'string') &&
    (x === undefined || (typeof x === 'number' && Number.isInteger(x)))
  );
};

/**
 * Checks a token's signature first (nothing inside an unsigned token is trusted, not even its purpose), then its
 * purpose and expiry.
 */
export const verifyToken = (key: Uint8Array, token: string, purpose: TokenPurpose, now: Date): TokenCheck => {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match?.[1] || !match[2]) return { ok: false, reason: 'malformed' };
  const [, encoded, signature] = match;
  // Compared as text, so the last character's unused bits cannot give a second spelling of a valid signature.
  const expected = Buffer.from(sign(key, encoded).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!isPayload(payload)) return { ok: false, reason: 'malformed' };
  if (payload.p !== purpose) return { ok: false, reason: 'wrong-purpose' };
  if (payload.x !== undefined && now.getTime() >= payload.x * 1000) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claims: {
      purpose: payload.p,
      key: payload.k,
      ...(payload.n === undefined ? {} : { nonce: payload.n }),
      ...(payload.x === undefined ? {} : { expiresAt: new Date(payload.x * 1000) }),
    },
  };
};
