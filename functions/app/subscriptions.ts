/**
 * The subscription use cases: each reads the record, lets a pure decision in core/subscribers/subscriber.ts say
 * what to change, and writes it with a version check, deciding again from a fresh read when a concurrent request
 * (a double-clicked button, a subscribe racing an unsubscribe, a bounce arriving mid-import) wrote first.
 */
import {
  ConflictError,
  describeError,
  FeedmailError,
  MailBlockedError,
  MailOutcomeUnknownError,
  MailThrottledError,
} from '../core/errors.ts';
import { type AddressResult, normalizeAddress } from '../core/subscribers/email-address.ts';
import { apiUrl } from '../core/subscribers/links.ts';
import type { FeedbackEvent } from '../core/subscribers/ses-feedback.ts';
import {
  type ConfirmOutcome,
  type Decision,
  decideConfirm,
  decideImport,
  decideRemove,
  decideSoftBounce,
  decideSubscribe,
  decideSuppress,
  decideUndoRequest,
  decideUndoWelcome,
  decideUnsubscribe,
  decideWelcome,
  type ImportOutcome,
  type ImportRow,
  type RemoveOutcome,
  SUBSCRIBER_STATUSES,
  type SubscribeOutcome,
  type Subscriber,
  type SubscriberStatus,
  type SubscribeVia,
  type SubscriptionPolicy,
  type UnsubscribeOutcome,
  type UnsubscribeVia,
} from '../core/subscribers/subscriber.ts';
import type { TokenKeyRing } from '../core/subscribers/token-key-ring.ts';
import { signToken, type TokenCheck, verifyToken } from '../core/subscribers/tokens.ts';
import type { SiteConfig } from '../core/types.ts';
import type { Logger } from './logger.ts';
import type {
  Mailer,
  OutgoingMessage,
  SubscribeRequest,
  SubscribeRequests,
  SubscriberStore,
  WelcomeRequest,
} from './ports.ts';

/** SES throttled, or sending is paused: nothing went out, and the queue's retry may send it. */
const notSentYet = (error: unknown): boolean =>
  error instanceof MailThrottledError || error instanceof MailBlockedError;

/** How often a change is decided again after losing a race before giving up (each loss means progress elsewhere). */
const MAX_ATTEMPTS = 10;

/**
 * Applies a decision to one subscriber, retrying from a fresh read on conflict.
 * @example await changeSubscriber(store, 'ada@example.org', (current) => decideUnsubscribe(current, 'cli', now))
 */
export const changeSubscriber = async <Outcome extends string>(
  store: SubscriberStore,
  key: string,
  decide: (current: Subscriber | undefined) => Decision<Outcome>,
  options: { likelyNew?: boolean } = {},
): Promise<Decision<Outcome> & { previous: Subscriber | undefined }> => {
  for (let attempt = 1; ; attempt++) {
    // `likelyNew` (an import into a list that mostly lacks these addresses) first tries the write for an absent
    // record, saving the read; that write requires the key to be free, so a present record just costs a retry.
    const previous = attempt === 1 && options.likelyNew ? undefined : await store.get(key);
    const decision = decide(previous);
    try {
      if (decision.erase && previous) await store.erase(previous);
      else if (decision.next) await store.save(decision.next);
      return { ...decision, previous };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
};

/** What the links in mail (confirm, unsubscribe) need: the subscription API builds these. */
export interface LinkDeps {
  store: SubscriberStore;
  site: SiteConfig;
  /**
   * The secret that seals tokens (from the secret store when deployed), or its key ring: the newest key seals, and
   * the previous keys still open the tokens they sealed until they expire.
   */
  tokenKey: Uint8Array | TokenKeyRing;
  now: () => Date;
  log: Logger;
  /**
   * Sends the welcome mail to a subscriber who has just confirmed; absent where no mail may be sent (or the site
   * turned it off). Sending it is best effort: a failure is logged and the confirmation stands.
   */
  sendWelcome?: (subscriber: { key: string; address: string; name?: string }, now: Date) => Promise<void>;
}

/** What deciding a subscribe request and mailing its confirmation need on top; the confirmation sender builds it. */
export interface SubscriptionDeps extends LinkDeps {
  mailer: Mailer;
  policy: SubscriptionPolicy;
  /** A fresh random nonce for a confirmation request. */
  nonce: () => string;
  /** Builds the confirmation mail for one recipient (templates compiled once, outside). */
  composeConfirmation(to: { address: string; name?: string }, confirmUrl: string, now: Date): Promise<OutgoingMessage>;
}

/**
 * `mail-failed`: SES refused the message or its answer was lost, so trying again now would not help (or could send
 * twice). `retry-later`: SES was throttling or is paused, nothing was sent, and the request should be tried again.
 * Whenever the mail is known not to have gone, the request's write is undone (cooldown, day's count, link nonce).
 */
export type SubscribeResult = SubscribeOutcome | 'mail-failed' | 'retry-later';

/**
 * Decides a subscribe request and mails the confirmation. The cooldown is claimed by the write that records the
 * request, before the mail is sent, so two racing requests send one mail; if the mail is then known not to have
 * gone, that write is undone so a retry (the queue's, or the visitor's) can send at once.
 */
export const requestSubscription = async (
  deps: SubscriptionDeps,
  request: { address: string; key: string; name?: string; via: SubscribeVia; requestedAt?: string },
): Promise<SubscribeResult> => {
  const now = deps.now();
  const decision = await changeSubscriber(deps.store, request.key, (current) =>
    decideSubscribe(current, request, { now, nonce: deps.nonce(), policy: deps.policy }),
  );
  if (!decision.sendConfirmation || !decision.next?.confirmNonce) return decision.outcome;
  const requested = decision.next;
  const token = signToken(deps.tokenKey, {
    purpose: 'confirm',
    key: requested.key,
    nonce: requested.confirmNonce as string,
    expiresAt: new Date(now.getTime() + deps.policy.confirmTtlMs),
  });
  try {
    // No name: whoever typed this address chose it, and the mail goes to someone who has not agreed to anything yet.
    const message = await deps.composeConfirmation(
      { address: requested.address },
      apiUrl(deps.site, 'confirm', token),
      now,
    );
    await deps.mailer.send(message);
    deps.log.info('confirmation sent', { outcome: decision.outcome });
    return decision.outcome;
  } catch (error) {
    const retry = notSentYet(error);
    deps.log.error('confirmation mail failed', { error: describeError(error, { named: true }), retry });
    // An answer lost after sending may hide a delivered mail: the cooldown stays, so nothing sends it again soon.
    if (!(error instanceof MailOutcomeUnknownError)) await undoRequest(deps.store, requested, decision.previous);
    return retry ? 'retry-later' : 'mail-failed';
  }
};

/** A queued request older than this is dropped: whoever typed the address has long stopped waiting for the mail. */
export const SUBSCRIBE_REQUEST_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * A subscribe request taken from the queue the API put it on. Requests that waited longer than a day (SES paused
 * all that time) are dropped rather than mailed out of the blue.
 */
export const handleSubscribeRequest = async (
  deps: SubscriptionDeps,
  request: SubscribeRequest,
): Promise<SubscribeResult | 'stale'> => {
  const waitedMs = deps.now().getTime() - Date.parse(request.requestedAt);
  if (waitedMs > SUBSCRIBE_REQUEST_MAX_AGE_MS) {
    deps.log.warn('subscribe request dropped: too old to answer', { requestedAt: request.requestedAt });
    return 'stale';
  }
  const outcome = await requestSubscription(deps, request);
  deps.log.info('subscribe request handled', { outcome, via: request.via });
  return outcome;
};

/**
 * The API's `sendWelcome`: queues the welcome for the confirmation sender (the only function that sends mail), so
 * the confirm page answers at once and a throttled SES is retried by the queue.
 */
export const welcomeThroughQueue =
  (requests: SubscribeRequests): NonNullable<LinkDeps['sendWelcome']> =>
  (subscriber, now) =>
    requests.submit({ kind: 'welcome', key: subscriber.key, confirmedAt: now.toISOString() });

/**
 * A welcome request taken from the queue: sent once per confirmation, claimed on the subscriber before the mail
 * goes (a request delivered twice finds the claim and sends nothing), and skipped when the address has left or
 * confirmed again since, or the site has the welcome mail off. A throttled send gives the claim back and asks for a
 * retry; any other failure is logged and dropped (the subscription stands either way).
 */
export const handleWelcomeRequest = async (
  deps: SubscriptionDeps,
  request: WelcomeRequest,
): Promise<'sent' | 'skipped' | 'mail-failed' | 'retry-later'> => {
  if (!deps.sendWelcome) return 'skipped';
  const decision = await changeSubscriber(deps.store, request.key, (current) =>
    decideWelcome(current, request.confirmedAt),
  );
  if (!decision.next) {
    deps.log.info('welcome request skipped', { outcome: decision.outcome });
    return 'skipped';
  }
  const { key, address, name } = decision.next;
  try {
    await deps.sendWelcome({ key, address, ...(name ? { name } : {}) }, deps.now());
    deps.log.info('welcome sent');
    return 'sent';
  } catch (error) {
    const retry = notSentYet(error);
    deps.log.error('welcome mail failed', { error: describeError(error, { named: true }), retry });
    if (retry) {
      await changeSubscriber(deps.store, key, (current) => decideUndoWelcome(current, request.confirmedAt));
      return 'retry-later';
    }
    return 'mail-failed';
  }
};

const undoRequest = async (
  store: SubscriberStore,
  written: Subscriber,
  previous: Subscriber | undefined,
): Promise<void> => {
  try {
    await changeSubscriber(store, written.key, (current) => decideUndoRequest(current, written, previous));
  } catch {
    // Best effort: at worst the visitor waits for the cooldown to pass.
  }
};

export type LinkProblem = 'invalid' | 'expired';

const linkProblem = (check: Exclude<TokenCheck, { ok: true }>): LinkProblem =>
  check.reason === 'expired' ? 'expired' : 'invalid';

/** Checks a link's token without changing anything (what a GET may do). */
export const checkLink = (
  deps: Pick<LinkDeps, 'tokenKey' | 'now'>,
  token: string,
  purpose: 'confirm' | 'unsubscribe',
): { ok: true } | { ok: false; problem: LinkProblem } => {
  const check = verifyToken(deps.tokenKey, token, purpose, deps.now());
  return check.ok ? { ok: true } : { ok: false, problem: linkProblem(check) };
};

/**
 * What a confirmation link would do, read without changing anything (what a GET may do): `ready` when pressing the
 * button would confirm, else why not (already confirmed, a used or superseded link, an expired or forged one).
 */
export const inspectConfirmLink = async (
  deps: Pick<LinkDeps, 'tokenKey' | 'now' | 'store'>,
  token: string,
): Promise<'ready' | Exclude<ConfirmOutcome, 'confirmed'> | LinkProblem> => {
  const now = deps.now();
  const check = verifyToken(deps.tokenKey, token, 'confirm', now);
  if (!check.ok) return linkProblem(check);
  if (check.claims.nonce === undefined) return 'invalid';
  const { outcome } = decideConfirm(await deps.store.get(check.claims.key), check.claims.nonce, now);
  return outcome === 'confirmed' ? 'ready' : outcome;
};

/** The owner of a confirmation link confirms (a POST from the page the link opens). */
export const confirmSubscription = async (deps: LinkDeps, token: string): Promise<ConfirmOutcome | LinkProblem> => {
  const now = deps.now();
  const check = verifyToken(deps.tokenKey, token, 'confirm', now);
  if (!check.ok) return linkProblem(check);
  const { key, nonce } = check.claims;
  if (nonce === undefined) return 'invalid';
  const decision = await changeSubscriber(deps.store, key, (current) => decideConfirm(current, nonce, now));
  deps.log.info('confirmation', { outcome: decision.outcome });
  // Only the write that took the address from pending to confirmed welcomes it: a second press of the button (or
  // a racing one, which loses the version check and decides again) finds it confirmed and sends nothing.
  if (decision.outcome === 'confirmed' && decision.next && deps.sendWelcome) {
    const { address, name } = decision.next;
    try {
      await deps.sendWelcome({ key, address, ...(name ? { name } : {}) }, now);
      deps.log.info('welcome requested');
    } catch (error) {
      deps.log.error('welcome request failed', { error: describeError(error, { named: true }) });
    }
  }
  return decision.outcome;
};

/** One-click (RFC 8058) or the page's button: always succeeds for a valid link, and repeating it is harmless. */
export const unsubscribeByToken = async (
  deps: LinkDeps,
  token: string,
  via: UnsubscribeVia,
): Promise<UnsubscribeOutcome | LinkProblem> => {
  const now = deps.now();
  const check = verifyToken(deps.tokenKey, token, 'unsubscribe', now);
  if (!check.ok) return linkProblem(check);
  const decision = await changeSubscriber(deps.store, check.claims.key, (current) =>
    decideUnsubscribe(current, via, now),
  );
  deps.log.info('unsubscribe', { outcome: decision.outcome, via });
  return decision.outcome;
};

/**
 * Applies SES feedback: a permanent bounce or a complaint suppresses at once, transient bounces are counted.
 * An address that cannot be normalised is logged and skipped (SES reported it, so it is not ours to fix).
 */
export const applyFeedback = async (
  deps: Pick<SubscriptionDeps, 'store' | 'policy' | 'log' | 'now'>,
  events: readonly FeedbackEvent[],
): Promise<{ address: string; outcome: string }[]> => {
  const results: { address: string; outcome: string }[] = [];
  for (const event of events) {
    const normalized = normalizeAddress(event.address);
    if (!normalized.ok) {
      deps.log.warn('feedback for an unusable address', { kind: event.kind, reason: normalized.reason });
      continue;
    }
    const at = new Date(event.at);
    const when = Number.isNaN(at.getTime()) ? deps.now() : at;
    const { key } = normalized.value;
    const decision =
      event.kind === 'transient-bounce'
        ? await changeSubscriber(deps.store, key, (current) =>
            decideSoftBounce(current, event.detail, when, deps.policy),
          )
        : await changeSubscriber(deps.store, key, (current) =>
            decideSuppress(
              current,
              normalized.value,
              { reason: event.kind === 'complaint' ? 'complaint' : 'bounce', detail: event.detail },
              when,
            ),
          );
    deps.log.info('feedback applied', { kind: event.kind, outcome: decision.outcome });
    results.push({ address: normalized.value.address, outcome: decision.outcome });
  }
  return results;
};

export type ImportCounts = Record<ImportOutcome, number>;

/**
 * Imports validated rows, `concurrency` at a time, each with the same conditional write as everything else, so an
 * unsubscribe racing the import is never overwritten. Rows repeat harmlessly: an import can simply be run again.
 */
export const importSubscribers = async (
  store: SubscriberStore,
  rows: readonly ImportRow[],
  context: { now: Date; file: string; attested: boolean; concurrency?: number; onProgress?: (done: number) => void },
): Promise<ImportCounts> => {
  const counts: ImportCounts = {
    'added-pending': 0,
    'added-confirmed': 0,
    confirmed: 0,
    unchanged: 0,
    'added-suppression': 0,
    'suppressed-existing': 0,
    'skipped-suppressed': 0,
  };
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let row = rows[next++]; row !== undefined; row = rows[next++]) {
      const current = row;
      const decision = await changeSubscriber(
        store,
        current.key,
        (existing) => decideImport(existing, current, context),
        { likelyNew: true },
      );
      counts[decision.outcome]++;
      context.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: context.concurrency ?? 32 }, worker));
  return counts;
};

/** The operator removes an address: kept as a suppression record, or erased entirely. */
export const removeSubscriber = async (
  store: SubscriberStore,
  address: string,
  options: { erase: boolean; now: Date },
): Promise<RemoveOutcome> => {
  const normalized = requireAddress(normalizeAddress(address), address);
  const decision = await changeSubscriber(store, normalized.key, (current) =>
    decideRemove(current, options.erase, options.now),
  );
  return decision.outcome;
};

/** How many records have each status (a full read of the list). */
export const countSubscribers = async (store: SubscriberStore): Promise<Record<SubscriberStatus, number>> => {
  const counts = Object.fromEntries(SUBSCRIBER_STATUSES.map((status) => [status, 0])) as Record<
    SubscriberStatus,
    number
  >;
  for await (const page of store.list()) for (const subscriber of page) counts[subscriber.status]++;
  return counts;
};

const requireAddress = (result: AddressResult, input: string) => {
  if (!result.ok) throw new FeedmailError(`"${input}" cannot be used: ${result.reason}`);
  return result.value;
};
