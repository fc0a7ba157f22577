/**
 * A subscriber's life as values: pending -> confirmed -> unsubscribed, and suppressed after a hard bounce or a
 * complaint. Every change is a pure decision over the current record (or none) and `now`; the app layer writes the
 * result with a version check and decides again from a fresh read when someone else wrote first.
 */

export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed' | 'suppressed';

export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = ['pending', 'confirmed', 'unsubscribed', 'suppressed'];

/**
 * How an address reached the list: the subscribe form, the JSON API, an import (with the file's name), or SES
 * feedback about an address the list never held (a suppression record only).
 */
export type SubscribeVia = 'form' | 'api' | 'feedback' | `import:${string}`;
export type ConfirmVia = 'link' | 'import-attested';
export type UnsubscribeVia = 'one-click' | 'page' | 'cli' | 'import';
export type SuppressReason = 'bounce' | 'complaint' | 'import';

export interface Subscriber {
  /** The address lower-cased: the record's identity (see email-address.ts). */
  key: string;
  /** The address mail is sent to. */
  address: string;
  name?: string;
  status: SubscriberStatus;
  /** Consent: when and how the (latest) subscription was asked for. */
  subscribedAt: string;
  subscribedVia: SubscribeVia;
  /** Consent: when and how it was confirmed. */
  confirmedAt?: string;
  confirmedVia?: ConfirmVia;
  /** The confirmation (its `confirmedAt`) whose welcome mail went out: a repeated welcome request sends nothing. */
  welcomedAt?: string;
  unsubscribedAt?: string;
  unsubscribedVia?: UnsubscribeVia;
  suppressedAt?: string;
  suppressedReason?: SuppressReason;
  /** What the feedback said (bounce subtype, complaint type), for the operator. */
  suppressedDetail?: string;
  /** The nonce inside the one confirmation link that still works; cleared once used. */
  confirmNonce?: string;
  /** When the last confirmation mail went out: the cooldown runs from here. */
  confirmSentAt?: string;
  /** When confirmation mails went out in the last day, for the daily cap. */
  confirmSends?: string[];
  /**
   * A request to come back from an address that unsubscribed, waiting for its confirmation. Kept apart so an
   * unconfirmed request (which anyone can make) never overwrites the consent record of the earlier subscription.
   */
  request?: { at: string; via: SubscribeVia; name?: string };
  /** Times of transient bounces inside the counting window. */
  softBounces?: string[];
  /** Optimistic concurrency: 0 for a record not yet stored, +1 on every write. */
  version: number;
}

/** Tunables with the defaults a public form needs. */
export interface SubscriptionPolicy {
  /** Least time between two confirmation mails to one address (mail-bombing guard). */
  confirmCooldownMs: number;
  /** Most confirmation mails to one address in 24 hours. */
  confirmDailyLimit: number;
  /** How long a confirmation link works. */
  confirmTtlMs: number;
  /** Transient bounces within `softBounceWindowMs` that suppress an address. */
  softBounceLimit: number;
  softBounceWindowMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_POLICY: SubscriptionPolicy = {
  confirmCooldownMs: 10 * 60 * 1000,
  confirmDailyLimit: 3,
  confirmTtlMs: 7 * DAY,
  softBounceLimit: 3,
  softBounceWindowMs: 30 * DAY,
};

/**
 * What a decision asks for: the record to write (absent: nothing to write), whether to delete it, whether to send a
 * confirmation mail, and an outcome the caller turns into a page or a count.
 */
export interface Decision<Outcome extends string> {
  outcome: Outcome;
  next?: Subscriber;
  erase?: true;
  sendConfirmation?: true;
}

const write = (current: Subscriber | undefined, fields: Subscriber): Subscriber => ({
  ...fields,
  version: (current?.version ?? 0) + 1,
});

type OptionalField = Exclude<
  keyof Subscriber,
  'key' | 'address' | 'status' | 'subscribedAt' | 'subscribedVia' | 'version'
>;

/** The record without the given optional fields. */
const omit = (record: Subscriber, ...fields: OptionalField[]): Subscriber => {
  const copy = { ...record };
  for (const field of fields) delete copy[field];
  return copy;
};

/** Confirmation mails sent to this address within the last day. */
const sendsInLastDay = (current: Subscriber | undefined, now: Date): string[] =>
  (current?.confirmSends ?? []).filter((at) => now.getTime() - Date.parse(at) < DAY);

const withConfirmationRequest = (
  current: Subscriber | undefined,
  base: Subscriber,
  nonce: string,
  now: Date,
): Subscriber =>
  write(current, {
    ...base,
    confirmNonce: nonce,
    confirmSentAt: now.toISOString(),
    confirmSends: [...sendsInLastDay(current, now), now.toISOString()],
  });

export type SubscribeOutcome = 'requested' | 'cooling-down' | 'already-confirmed' | 'suppressed' | 'ignored';

/**
 * A visitor asks to subscribe. The page they see is the same whatever the outcome (no enumeration); only the
 * outcome decides whether a mail goes out. Anyone can type any address, so a request changes no stored detail of
 * an existing record: it only asks the owner of the address to confirm.
 * - new: stored as pending, with its consent record;
 * - unsubscribed: the request waits beside the record (`request`) until confirmed;
 * - pending: the confirmation is sent again, keeping its link;
 * - confirmed or suppressed: nothing happens;
 * and no mail goes out within the cooldown, or beyond the daily cap.
 */
export const decideSubscribe = (
  current: Subscriber | undefined,
  request: { address: string; key: string; name?: string; via: SubscribeVia; requestedAt?: string },
  context: { now: Date; nonce: string; policy: SubscriptionPolicy },
): Decision<SubscribeOutcome> => {
  const { now, policy } = context;
  // The consent record says when the visitor asked, which a queued request may precede `now` by a while.
  const askedAt = request.requestedAt ?? now.toISOString();
  if (current?.status === 'confirmed') return { outcome: 'already-confirmed' };
  if (current?.status === 'suppressed') return { outcome: 'suppressed' };
  if (current?.confirmSentAt !== undefined) {
    const since = now.getTime() - Date.parse(current.confirmSentAt);
    if (since >= 0 && since < policy.confirmCooldownMs) return { outcome: 'cooling-down' };
  }
  if (sendsInLastDay(current, now).length >= policy.confirmDailyLimit) return { outcome: 'cooling-down' };
  if (current?.status === 'pending') {
    const nonce = current.confirmNonce ?? context.nonce;
    return {
      outcome: 'requested',
      next: withConfirmationRequest(current, current, nonce, now),
      sendConfirmation: true,
    };
  }
  if (current?.status === 'unsubscribed') {
    const request_ = { at: askedAt, via: request.via, ...(request.name ? { name: request.name } : {}) };
    const next = withConfirmationRequest(current, { ...current, request: request_ }, context.nonce, now);
    return { outcome: 'requested', next, sendConfirmation: true };
  }
  const base: Subscriber = {
    key: request.key,
    address: request.address,
    ...(request.name ? { name: request.name } : {}),
    status: 'pending',
    subscribedAt: askedAt,
    subscribedVia: request.via,
    version: 0,
  };
  return {
    outcome: 'requested',
    next: withConfirmationRequest(current, base, context.nonce, now),
    sendConfirmation: true,
  };
};

/**
 * A confirmation mail that was not sent after all (SES throttled or refused it): the request's write is undone, so
 * the cooldown and the day's count are free again for a retry, and a link mailed by an earlier request still works.
 * Only while nothing else has written the record since; a record the request created is erased again.
 */
export const decideUndoRequest = (
  current: Subscriber | undefined,
  written: Subscriber,
  previous: Subscriber | undefined,
): Decision<'undone' | 'kept'> => {
  if (current === undefined || current.version !== written.version) return { outcome: 'kept' };
  if (previous === undefined) return { outcome: 'undone', erase: true };
  return { outcome: 'undone', next: { ...previous, version: current.version + 1 } };
};

export type ConfirmOutcome = 'confirmed' | 'already-confirmed' | 'used' | 'suppressed' | 'unknown';

/**
 * Whether to welcome the subscriber for the confirmation made at `confirmedAt`: once, and only while that
 * confirmation stands (not after an unsubscribe, nor for an earlier one). The write claims the welcome before the
 * mail goes, so a request delivered twice sends one mail.
 */
export const decideWelcome = (current: Subscriber | undefined, confirmedAt: string): Decision<'welcome' | 'skip'> =>
  current?.status === 'confirmed' && current.confirmedAt === confirmedAt && current.welcomedAt !== confirmedAt
    ? { outcome: 'welcome', next: write(current, { ...current, welcomedAt: confirmedAt }) }
    : { outcome: 'skip' };

/** Gives the claim of a welcome back when its mail is known not to have gone (SES throttled), so a retry sends it. */
export const decideUndoWelcome = (
  current: Subscriber | undefined,
  confirmedAt: string,
): Decision<'undone' | 'unchanged'> => {
  if (current === undefined || current.welcomedAt !== confirmedAt) return { outcome: 'unchanged' };
  const { welcomedAt: _claimed, ...rest } = current;
  return { outcome: 'undone', next: write(current, rest) };
};

/**
 * The owner of a confirmation link confirms. Only the link of the latest request works, and only once: an old
 * link replayed after an unsubscribe must not put the address back on the list.
 */
export const decideConfirm = (current: Subscriber | undefined, nonce: string, now: Date): Decision<ConfirmOutcome> => {
  if (current === undefined) return { outcome: 'unknown' };
  if (current.status === 'suppressed') return { outcome: 'suppressed' };
  if (current.confirmNonce !== nonce) {
    return { outcome: current.status === 'confirmed' ? 'already-confirmed' : 'used' };
  }
  // Coming back after an unsubscribe: the confirmed request becomes the consent record.
  const { request } = current;
  const next = write(current, {
    ...omit(current, 'confirmNonce', 'confirmSentAt', 'confirmSends', 'unsubscribedAt', 'unsubscribedVia', 'request'),
    ...(request
      ? { subscribedAt: request.at, subscribedVia: request.via, ...(request.name ? { name: request.name } : {}) }
      : {}),
    status: 'confirmed',
    confirmedAt: now.toISOString(),
    confirmedVia: 'link',
  });
  return { outcome: 'confirmed', next };
};

export type UnsubscribeOutcome = 'unsubscribed' | 'already-unsubscribed' | 'unknown';

/** Leaving always works and repeating it is harmless; the record stays as a suppression record. */
export const decideUnsubscribe = (
  current: Subscriber | undefined,
  via: UnsubscribeVia,
  now: Date,
): Decision<UnsubscribeOutcome> => {
  if (current === undefined) return { outcome: 'unknown' };
  if (current.status === 'unsubscribed' || current.status === 'suppressed') {
    // A pending re-subscription of an unsubscribed address is withdrawn too.
    if (current.confirmNonce === undefined) return { outcome: 'already-unsubscribed' };
    return { outcome: 'already-unsubscribed', next: write(current, omit(current, 'confirmNonce', 'request')) };
  }
  const next = write(current, {
    ...omit(current, 'confirmNonce', 'request'),
    status: 'unsubscribed',
    unsubscribedAt: now.toISOString(),
    unsubscribedVia: via,
  });
  return { outcome: 'unsubscribed', next };
};

export type SuppressOutcome = 'suppressed' | 'already-suppressed';

/**
 * A permanent bounce or a complaint: the address is never mailed again. An address we do not know yet still gets
 * a record, so a later form or import cannot add it.
 */
export const decideSuppress = (
  current: Subscriber | undefined,
  address: { address: string; key: string },
  cause: { reason: SuppressReason; detail?: string },
  now: Date,
): Decision<SuppressOutcome> => {
  if (current?.status === 'suppressed') return { outcome: 'already-suppressed' };
  const base: Subscriber = current ?? {
    key: address.key,
    address: address.address,
    status: 'suppressed',
    subscribedAt: now.toISOString(),
    subscribedVia: cause.reason === 'import' ? 'import:unknown' : 'feedback',
    version: 0,
  };
  const next = write(current, {
    ...omit(base, 'confirmNonce', 'request', 'softBounces', 'suppressedDetail'),
    status: 'suppressed',
    suppressedAt: now.toISOString(),
    suppressedReason: cause.reason,
    ...(cause.detail ? { suppressedDetail: cause.detail } : {}),
  });
  return { outcome: 'suppressed', next };
};

export type SoftBounceOutcome = 'counted' | SuppressOutcome | 'unknown';

/** A transient bounce is counted; `softBounceLimit` of them inside the window suppress the address. */
export const decideSoftBounce = (
  current: Subscriber | undefined,
  detail: string,
  now: Date,
  policy: SubscriptionPolicy,
): Decision<SoftBounceOutcome> => {
  if (current === undefined) return { outcome: 'unknown' };
  if (current.status === 'suppressed') return { outcome: 'already-suppressed' };
  // SNS delivers at least once: the same bounce (same instant) seen again is not a second bounce.
  if (current.softBounces?.includes(now.toISOString())) return { outcome: 'counted' };
  const since = now.getTime() - policy.softBounceWindowMs;
  const recent = [...(current.softBounces ?? []), now.toISOString()].filter((at) => Date.parse(at) > since);
  if (recent.length >= policy.softBounceLimit) {
    return decideSuppress(
      current,
      current,
      { reason: 'bounce', detail: `${recent.length} transient bounces: ${detail}` },
      now,
    );
  }
  return { outcome: 'counted', next: write(current, { ...current, softBounces: recent }) };
};

export type RemoveOutcome = 'removed' | 'erased' | 'unknown';

/**
 * The operator removes an address. By default it becomes a suppression record (it stays off the list for good);
 * `erase` deletes every trace, for a data-erasure request, after which a form or import could add it again.
 */
export const decideRemove = (current: Subscriber | undefined, erase: boolean, now: Date): Decision<RemoveOutcome> => {
  if (current === undefined) return { outcome: 'unknown' };
  if (erase) return { outcome: 'erased', erase: true };
  const decision = decideUnsubscribe(current, 'cli', now);
  return decision.next ? { outcome: 'removed', next: decision.next } : { outcome: 'removed' };
};

/** One row of an import, already validated and mapped from whichever service exported it. */
export interface ImportRow {
  /** 1-based line of the row in the file (the header is line 1). */
  line: number;
  address: string;
  key: string;
  name?: string;
  /** The status the exporting service gave the row; `confirmed` needs attested consent to be kept. */
  status: SubscriberStatus;
  /** Consent times carried by the export, kept when present. */
  subscribedAt?: string;
  confirmedAt?: string;
  unsubscribedAt?: string;
  suppressedAt?: string;
  suppressedReason?: SuppressReason;
  /** How consent was given and withdrawn, when the export says (only this tool's own export does). */
  subscribedVia?: SubscribeVia;
  confirmedVia?: ConfirmVia;
  unsubscribedVia?: UnsubscribeVia;
}

export type ImportOutcome =
  | 'added-pending'
  | 'added-confirmed'
  | 'confirmed'
  | 'unchanged'
  | 'added-suppression'
  | 'suppressed-existing'
  | 'skipped-suppressed';

/**
 * An import row meets the list. An address the list holds as unsubscribed or suppressed is never re-added; a row
 * the old service marked unsubscribed or cleaned becomes a suppression record here too. `confirmed` rows stay
 * confirmed only when the operator attests that consent was given (`attested`), otherwise they import as pending.
 */
export const decideImport = (
  current: Subscriber | undefined,
  row: ImportRow,
  context: { now: Date; file: string; attested: boolean },
): Decision<ImportOutcome> => {
  const at = context.now.toISOString();
  if (current?.status === 'unsubscribed' || current?.status === 'suppressed') return { outcome: 'skipped-suppressed' };
  if (row.status === 'unsubscribed' || row.status === 'suppressed') {
    const base: Subscriber = current ?? {
      key: row.key,
      address: row.address,
      status: row.status,
      subscribedAt: row.subscribedAt ?? at,
      subscribedVia: row.subscribedVia ?? `import:${context.file}`,
      // Consent history: when a row that has since left had confirmed.
      ...(row.confirmedAt ? { confirmedAt: row.confirmedAt } : {}),
      version: 0,
    };
    const next: Subscriber =
      row.status === 'unsubscribed'
        ? {
            ...base,
            ...(row.name && !base.name ? { name: row.name } : {}),
            status: 'unsubscribed',
            unsubscribedAt: row.unsubscribedAt ?? at,
            unsubscribedVia: row.unsubscribedVia ?? 'import',
          }
        : {
            ...base,
            ...(row.name && !base.name ? { name: row.name } : {}),
            status: 'suppressed',
            suppressedAt: row.suppressedAt ?? at,
            suppressedReason: row.suppressedReason ?? 'import',
          };
    return {
      outcome: current ? 'suppressed-existing' : 'added-suppression',
      next: write(current, omit(next, 'confirmNonce', 'request')),
    };
  }
  const confirmed = row.status === 'confirmed' && context.attested;
  if (current?.status === 'confirmed' || (current?.status === 'pending' && !confirmed)) return { outcome: 'unchanged' };
  const base: Subscriber = current ?? {
    key: row.key,
    address: row.address,
    ...(row.name ? { name: row.name } : {}),
    status: 'pending',
    subscribedAt: row.subscribedAt ?? at,
    subscribedVia: row.subscribedVia ?? `import:${context.file}`,
    version: 0,
  };
  if (!confirmed) return { outcome: 'added-pending', next: write(current, base) };
  const next = write(current, {
    ...omit(base, 'confirmNonce', 'request'),
    status: 'confirmed',
    confirmedAt: row.confirmedAt ?? at,
    // A confirmation our own export recorded keeps its "how"; anything else rests on the operator's attestation.
    confirmedVia: row.confirmedVia ?? 'import-attested',
  });
  return { outcome: current ? 'confirmed' : 'added-confirmed', next };
};
