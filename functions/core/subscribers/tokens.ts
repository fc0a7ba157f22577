/**
 * Sealed tokens for the links in mail: one base64url string holding a random 96-bit IV, the AES-256-GCM ciphertext
 * of the claims and the 128-bit tag. The key is derived (HKDF-SHA256) from a secret that only the deployed stack
 * knows (a generated secret; see cdk/constructs/subscription-api.ts).
 *
 * Sealed rather than only signed, so a link shows nothing of the address it is for: links end up in CloudFront's
 * access logs, in mail scanners' reports and in browser histories. The tag authenticates the claims, so a token
 * cannot be forged or altered without the key.
 *
 * The format is versioned by CONTEXT. Once tokens of a format are in delivered mail, a new format must keep
 * accepting them: an unsubscribe link must work for as long as its mail is read.
 *
 * A token is bound to one address and one purpose, so a confirmation link cannot unsubscribe and a link for one
 * address cannot act on another. Confirmation tokens also carry the nonce of the request they answer (so only the
 * latest request's link works, once) and expire; unsubscribe tokens never expire, because an old digest's link must
 * still let its reader leave.
 *
 * The secret can rotate (token-key-ring.ts): one key seals, and opening tries that key, then each other key of the
 * ring not past its `acceptUntil`. Trying each key, rather than naming the key inside the token, keeps
 * the format as it is, so every link already delivered (sealed before rings existed) opens with no second format to
 * support; the GCM tag makes a wrong key fail (a false match has a chance of 2^-128 per key), and a ring holds only
 * the keys of the last year's rotations, so a token that opens with none costs a handful of AES operations.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { TokenKeyRing } from './token-key-ring.ts';

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

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The sealed claims are padded with spaces to a multiple of this, so a token's length says little of the address's. */
const PAD_BYTES = 64;

/**
 * Versioned and domain-separated: the HKDF info gives these tokens their own key, so the secret could serve other
 * purposes without producing valid tokens here, and the same text is bound to every token as associated data.
 */
const CONTEXT = 'feedmail-token-v2';

interface Payload {
  p: TokenPurpose;
  k: string;
  n?: string;
  x?: number;
}

const derivedKeys = new WeakMap<Uint8Array, Buffer>();

/** The AES key for a secret, derived once per secret. */
const sealingKey = (secret: Uint8Array): Buffer => {
  let key = derivedKeys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), CONTEXT, 32));
    derivedKeys.set(secret, key);
  }
  return key;
};

/**
 * Seals claims into a URL-safe token, with the ring's sealing key when given a ring. Each call draws a fresh IV, so two
 * tokens for the same claims differ.
 * @example signToken(secret, { purpose: 'unsubscribe', key: 'ada@example.org' }) // 'q1Xb…' (123 characters)
 */
export const signToken = (keys: Uint8Array | TokenKeyRing, claims: TokenClaims): string => {
  const secret = keys instanceof Uint8Array ? keys : keys.current;
  const payload: Payload = {
    p: claims.purpose,
    k: claims.key,
    ...(claims.nonce === undefined ? {} : { n: claims.nonce }),
    ...(claims.expiresAt === undefined ? {} : { x: Math.floor(claims.expiresAt.getTime() / 1000) }),
  };
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(CONTEXT));
  const json = Buffer.from(JSON.stringify(payload), 'utf8');
  const padded = Buffer.concat([json, Buffer.alloc((PAD_BYTES - (json.length % PAD_BYTES)) % PAD_BYTES, ' ')]);
  const sealed = Buffer.concat([cipher.update(padded), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
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

/** The claims sealed in a token, or undefined when the tag does not match (another key, or any change). */
const open = (secret: Uint8Array, bytes: Buffer): string | undefined => {
  const iv = bytes.subarray(0, IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(CONTEXT));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
};

/** The keys that may open a token at `now`: the sealing one first, then the others whose time is not up. */
const openingKeys = (keys: Uint8Array | TokenKeyRing, now: Date): Uint8Array[] =>
  keys instanceof Uint8Array
    ? [keys]
    : [
        keys.current,
        ...keys.others
          .filter((entry) => entry.acceptUntil === undefined || now.getTime() < entry.acceptUntil.getTime())
          .map((entry) => entry.secret),
      ];

/**
 * Opens a token first (nothing inside a token that fails authentication is trusted, not even its purpose), then
 * checks its purpose and expiry. `keys` is one key, or a ring whose previous keys open tokens until they expire.
 */
export const verifyToken = (
  keys: Uint8Array | TokenKeyRing,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): TokenCheck => {
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'malformed' };
  const bytes = Buffer.from(token, 'base64url');
  // Only the canonical spelling counts: the last character's unused bits must not give a token a second spelling.
  if (bytes.length <= IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== token) {
    return { ok: false, reason: 'malformed' };
  }
  let json: string | undefined;
  for (const secret of openingKeys(keys, now)) {
    json = open(secret, bytes);
    if (json !== undefined) break;
  }
  if (json === undefined) return { ok: false, reason: 'forged' };
  let payload: unknown;
  try {
    payload = JSON.parse(json);
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
