/**
 * The token keys as the secret holds them, newest first. At any instant one key seals (the newest whose `sealsFrom`
 * has come) and every key not past its `acceptUntil` opens. A rotation adds a key that seals only from a day later
 * and gives the key it replaces an `acceptUntil` a year after that:
 *
 * - the day between: functions read the secret once per cold start, so a warm function still holds the ring from
 *   before the rotation. If the new key sealed at once, a confirmation link sealed by a fresh function could reach a
 *   warm one that has never heard of that key. Lambda replaces every execution environment within hours (its docs:
 *   "every few hours ... even for functions that are invoked continuously"), so a day later every function knows it.
 * - the year after: unsubscribe links in mail already delivered were sealed with the replaced key (see
 *   DEFAULT_KEEP_DAYS).
 *
 * Two spellings are read: the JSON that `cli tokens rotate` writes, and the plain string the stack generated before
 * key rings existed, which is a ring of one key, so a deployed stack keeps working until its first rotation.
 */
import { ConfigError } from '../errors.ts';

/** Shorter secrets would weaken the derived AES-256 key; the stack generates 64 characters, the CLI 64 too. */
export const MIN_TOKEN_KEY_LENGTH = 32;

/**
 * How long a replaced key still opens tokens by default. Unsubscribe links never expire (tokens.ts) and readers
 * unsubscribe from mail months old; bulk-sender rules want one-click unsubscribe to keep working, and CAN-SPAM
 * requires an opt-out to work for at least 30 days after a message is sent. A year covers nearly every click on an
 * old digest; a reader with older mail finds a working link in any newer one.
 */
export const DEFAULT_KEEP_DAYS = 365;

/** Below this, mail sent just before a rotation loses its legal minimum for a working opt-out (CAN-SPAM). */
export const MIN_SAFE_KEEP_DAYS = 30;

/** How long after a rotation the new key starts sealing by default: every warm function has read it by then. */
export const DEFAULT_SEAL_AFTER_HOURS = 24;

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** One key of the secret, as text (the secret is text, and the key bytes are its UTF-8). */
export interface StoredTokenKey {
  key: string;
  /** When it starts sealing (ISO 8601); absent for the first key, which sealed from the start. */
  sealsFrom?: string;
  /** When it stops opening tokens (ISO 8601); absent while it is the newest key or the one sealing now. */
  acceptUntil?: string;
}

/** The secret's content: newest first. */
export interface StoredTokenKeys {
  keys: StoredTokenKey[];
}

/** Another key than the sealing one that still opens tokens: a replaced one until `acceptUntil`, or a newer one. */
export interface OpeningTokenKey {
  secret: Uint8Array;
  acceptUntil?: Date;
}

/** What sealing and opening tokens take, as read at one instant (a cold start). */
export interface TokenKeyRing {
  /** Seals every new token. */
  current: Uint8Array;
  /** Newest first. */
  others: readonly OpeningTokenKey[];
}

const FORMAT = 'feedmail-token-keys-v1';

const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value));

const time = (instant: string | undefined, absent: number): number =>
  instant === undefined ? absent : Date.parse(instant);

/**
 * Reads the secret's text: a JSON key ring, or a plain key (a ring of one; text that starts with `{` is taken for a
 * ring, which the stack's generated key, without punctuation, never does). Every problem is named at once, with
 * `source` (the secret's name) in the message; no message ever holds a key.
 * @example readTokenKeys('k'.repeat(64), 'TokenKey') // { keys: [{ key: 'kkk…' }] }
 */
export const readTokenKeys = (text: string, source: string): StoredTokenKeys => {
  if (!text.trimStart().startsWith('{')) {
    if (text.length < MIN_TOKEN_KEY_LENGTH)
      throw new ConfigError(`the secret ${source} must hold at least ${MIN_TOKEN_KEY_LENGTH} characters`);
    return { keys: [{ key: text }] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`the secret ${source} starts with "{" but is not JSON; it must be a key or a key ring`);
  }
  const problems: string[] = [];
  const { format, keys } = (parsed ?? {}) as Record<string, unknown>;
  if (format !== FORMAT) problems.push(`"format" must be "${FORMAT}"`);
  if (!Array.isArray(keys) || keys.length === 0) problems.push('"keys" must be a list of at least one key');
  const read: StoredTokenKey[] = [];
  for (const [index, entry] of (Array.isArray(keys) ? keys : []).entries()) {
    const { key, sealsFrom, acceptUntil } = (entry ?? {}) as Record<string, unknown>;
    const before = problems.length;
    if (typeof key !== 'string' || key.length < MIN_TOKEN_KEY_LENGTH)
      problems.push(`"keys[${index}].key" must be a key of at least ${MIN_TOKEN_KEY_LENGTH} characters`);
    for (const [name, value] of [
      ['sealsFrom', sealsFrom],
      ['acceptUntil', acceptUntil],
    ] as const) {
      if (value !== undefined && !isInstant(value))
        problems.push(`"keys[${index}].${name}" must be an ISO 8601 instant when present`);
    }
    if (problems.length === before)
      read.push({
        key: key as string,
        ...(sealsFrom === undefined ? {} : { sealsFrom: sealsFrom as string }),
        ...(acceptUntil === undefined ? {} : { acceptUntil: acceptUntil as string }),
      });
  }
  const last = Array.isArray(keys) ? (keys.at(-1) as Record<string, unknown> | undefined) : undefined;
  if (last && last.sealsFrom !== undefined) problems.push('the oldest key must have no "sealsFrom"');
  if (problems.length > 0)
    throw new ConfigError(`the secret ${source} is not a usable key ring: ${problems.join('; ')}`);
  return { keys: read };
};

/** The secret's text for a ring (what `readTokenKeys` reads back). */
export const formatTokenKeys = (stored: StoredTokenKeys): string =>
  JSON.stringify({ format: FORMAT, keys: stored.keys });

/** The key that seals at `now`: the newest whose `sealsFrom` has come (the oldest key always has). */
const sealingIndex = (stored: StoredTokenKeys, now: Date): number => {
  const index = stored.keys.findIndex((entry) => time(entry.sealsFrom, -Infinity) <= now.getTime());
  return index < 0 ? stored.keys.length - 1 : index;
};

/**
 * The ring after a rotation at `now`: a new key that starts sealing `sealAfterHours` later; the key sealing until
 * then opens tokens for `keepDays` more after that; keys whose time is up are dropped (they open nothing any more,
 * so keeping them only costs every open). `keepDays` 0 is for a leaked key: the new key seals at once and the
 * replaced one is gone, so every link it sealed stops working.
 */
export const rotateTokenKeys = (
  stored: StoredTokenKeys,
  options: { newKey: string; now: Date; keepDays: number; sealAfterHours?: number },
): StoredTokenKeys => {
  const { newKey, now, keepDays, sealAfterHours = DEFAULT_SEAL_AFTER_HOURS } = options;
  if (newKey.length < MIN_TOKEN_KEY_LENGTH)
    throw new ConfigError(`a new token key must hold at least ${MIN_TOKEN_KEY_LENGTH} characters`);
  if (stored.keys.some((entry) => entry.key === newKey))
    throw new ConfigError('the new token key is already in the ring');
  if (!Number.isInteger(keepDays) || keepDays < 0)
    throw new ConfigError(`keepDays must be a whole number of days, 0 or more (got ${keepDays})`);
  if (!Number.isFinite(sealAfterHours) || sealAfterHours < 0)
    throw new ConfigError(`sealAfterHours must be 0 or more (got ${sealAfterHours})`);
  const startsAt = now.getTime() + (keepDays === 0 ? 0 : sealAfterHours * HOUR_MS);
  const acceptUntil = new Date(startsAt + keepDays * DAY_MS).toISOString();
  const kept = stored.keys
    // A key that has not ended yet ends now: the new one takes over from it (and from a pending one).
    .map((entry) => (entry.acceptUntil === undefined ? { ...entry, acceptUntil } : entry))
    .filter((entry) => time(entry.acceptUntil, Infinity) > now.getTime() && keepDays > 0);
  const [oldest] = kept.slice(-1);
  // The oldest key left seals from the start: drop its sealsFrom so the ring always has a key that seals.
  const settled = kept.map((entry) => {
    if (entry !== oldest || entry.sealsFrom === undefined) return entry;
    const { sealsFrom: _sealsFrom, ...rest } = entry;
    return rest;
  });
  return {
    keys: [
      { key: newKey, ...(settled.length === 0 ? {} : { sealsFrom: new Date(startsAt).toISOString() }) },
      ...settled,
    ],
  };
};

/**
 * The keys as bytes at `now` (a cold start): the key sealing now, and every other key that still opens tokens.
 * @example toTokenKeyRing(readTokenKeys(secretText, arn), new Date())
 */
export const toTokenKeyRing = (stored: StoredTokenKeys, now: Date): TokenKeyRing => {
  const encoder = new TextEncoder();
  const sealing = sealingIndex(stored, now);
  return {
    current: encoder.encode(stored.keys[sealing]?.key ?? ''),
    others: stored.keys
      .filter((entry, index) => index !== sealing && time(entry.acceptUntil, Infinity) > now.getTime())
      .map((entry) => ({
        secret: encoder.encode(entry.key),
        ...(entry.acceptUntil === undefined ? {} : { acceptUntil: new Date(entry.acceptUntil) }),
      })),
  };
};
