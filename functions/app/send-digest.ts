/**
 * Sends one batch of a digest's recipients, each exactly once however often the batch arrives or whoever died
 * before. Per recipient:
 *
 *   claim (conditional create, with a lease)  ->  read the subscriber  ->  build the message  ->  wait for a slot
 *   ->  mark `sending`  ->  SES SendRawEmail  ->  settle `sent` / `failed`
 *
 * - A claim already settled (or `sending`) is never sent again: a redelivered batch, a duplicate plan, a second
 *   sender all stop at the claim.
 * - A crash after the claim and before `sending` leaves a `claimed` delivery whose lease runs out: the next
 *   delivery of the batch takes it over and sends. That is how a crash "between claim and send" still mails once.
 * - The one window that cannot be closed is the SES call itself: from the `sending` mark until it is settled, SES
 *   may or may not have accepted the message, and SES has no idempotency key to ask. A timeout with no answer
 *   settles it `uncertain`; a crash there leaves it `sending`, and the batch's next delivery (after the lease)
 *   settles it `uncertain`. Either way it is never retried, is counted in the digest record and logged: a reader
 *   may miss one digest; nobody gets it twice.
 * - SES throttling is a definite "not sent": the delivery goes back to `claimed` and is retried after a back-off
 *   with jitter (throttled too long, the batch stops and goes back to the queue); a rejection of the message is
 *   settled `failed` with its reason and not retried; sending blocked for the account (paused, unverified) stops
 *   the batch without failing anyone.
 */

import { backoffMs, createPacer, rateForInstance, remainingToday, type SendQuota } from '../core/digest/pacing.ts';
import { describeError, MailBlockedError, MailRejectedError, MailThrottledError } from '../core/errors.ts';
import { unsubscribeUrl } from '../core/subscribers/links.ts';
import type { SiteConfig } from '../core/types.ts';
import { finishIfDone } from './digest-ledger.ts';
import type { Logger } from './logger.ts';
import type {
  BatchTally,
  CompiledForSending,
  Deliveries,
  DigestLedger,
  DigestRecord,
  Mailer,
  OutgoingMessage,
  RecipientBatch,
  SendingPause,
  SubscriberStore,
} from './ports.ts';

export interface SenderDeps {
  ledger: DigestLedger;
  deliveries: Deliveries;
  subscribers: Pick<SubscriberStore, 'get'>;
  mailer: Mailer;
  /** SES GetSendQuota, read once per batch. */
  quota: () => Promise<SendQuota>;
  /** The reputation switch: while it is on, batches go back to the queue unsent. Required: it is a safety switch. */
  pause: Pick<SendingPause, 'get'>;
  /** How many sender instances may run at once: the account's rate is shared between them. */
  concurrency: number;
  site: SiteConfig;
  tokenKey: Uint8Array;
  compose(
    compiled: CompiledForSending,
    to: { address: string; name?: string },
    unsubscribeUrl: string,
    now: Date,
  ): Promise<OutgoingMessage>;
  /** Unique per invocation: whose claims are whose. */
  owner: string;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  log: Logger;
  /** How long a claim protects a recipient before another sender may take it over (default 2 minutes). */
  leaseMs?: number;
  /** Throttled attempts per recipient before the batch is handed back to the queue (default 6). */
  maxThrottleRetries?: number;
  /**
   * Milliseconds left before the function is stopped (Lambda's getRemainingTimeInMillis). Below a margin no new
   * recipient is started, so a slow batch (the SES sandbox sends one a second) ends cleanly instead of being cut
   * off during an SES call; the rest is handed back to the queue.
   */
  timeLeft?: () => number;
}

/** Enough for one recipient's SES call and writes, with room to spare. */
const STOP_MARGIN_MS = 20_000;

export interface BatchResult extends BatchTally {
  /** Of the counts, recipients settled before this run (a redelivered batch, another sender). */
  alreadyDone: number;
  /** Recipients to try again later (throttled too long, quota used up, claimed by a live sender). */
  retryLater: string[];
}

const DEFAULT_LEASE_MS = 2 * 60 * 1000;

export const sendRecipientBatch = async (deps: SenderDeps, batch: RecipientBatch): Promise<BatchResult> => {
  const result: BatchResult = { sent: 0, failed: 0, skipped: 0, uncertain: 0, alreadyDone: 0, retryLater: [] };
  const digest = await deps.ledger.getDigest(batch.digestId);
  if (!digest?.compiled) {
    // Cannot happen in order (batches are queued after the mail is compiled); retrying is the safe answer.
    deps.log.error('digest batch for an unknown or unplanned digest', { digestId: batch.digestId });
    return { ...result, retryLater: [...batch.keys] };
  }
  const pause = await deps.pause.get();
  if (pause.paused) {
    deps.log.warn('digest sending is paused; the batch goes back to the queue', {
      digestId: batch.digestId,
      reason: pause.reason,
      since: pause.since,
    });
    return { ...result, retryLater: [...batch.keys] };
  }
  const quota = await deps.quota();
  const pacer = createPacer(rateForInstance(quota, deps.concurrency));
  let allowance = remainingToday(quota);

  let stopped = false;
  for (const key of batch.keys) {
    if (stopped || allowance <= 0 || (deps.timeLeft !== undefined && deps.timeLeft() < STOP_MARGIN_MS)) {
      result.retryLater.push(key);
      continue;
    }
    const outcome = await sendOne(deps, digest, key, pacer);
    if (outcome.state === 'retry-later' || outcome.state === 'stop') {
      stopped = outcome.state === 'stop';
      result.retryLater.push(key);
      continue;
    }
    result[outcome.state]++;
    if ('earlier' in outcome) result.alreadyDone++;
    else if (outcome.state === 'sent') allowance--;
  }

  // Counted per batch, from every recipient's final state (earlier runs' included): a redelivery recounts the
  // same batch to the same tally instead of adding to a counter a crash could have left half-updated.
  if (result.retryLater.length === 0) {
    const { sent, failed, skipped, uncertain } = result;
    await deps.ledger.recordBatch(digest.id, batch.batchId, { sent, failed, skipped, uncertain });
    // Summing every tally after every batch would read the digest's tallies once per batch (quadratic in the list's
    // size); the run count says when the last ones may be in. Counted after the tally is stored: of two senders
    // finishing the last two batches at once, the one whose count comes second finds both tallies stored (counted
    // first, the lower count could be stored last, and nobody would finish the digest).
    const runs = await deps.ledger.countBatchRun(digest.id);
    if (runs >= digest.batches || digest.status !== 'sending') await finishIfDone(deps.ledger, digest.id, deps.now());
  } else if (allowance <= 0) {
    deps.log.warn('daily sending quota reached; the rest of the batch waits', {
      digestId: digest.id,
      waiting: result.retryLater.length,
    });
  }
  return result;
};

/**
 * How one recipient ended: a settled state (`earlier` when a previous run settled it), not yet (`retry-later`), or
 * not yet and neither should the rest of the batch be tried now (`stop`: SES keeps throttling).
 */
type OneOutcome = { state: keyof BatchTally; earlier?: true } | { state: 'retry-later' | 'stop' };

const sendOne = async (
  deps: SenderDeps,
  digest: DigestRecord,
  key: string,
  pacer: ReturnType<typeof createPacer>,
): Promise<OneOutcome> => {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const lease = () => new Date(deps.now().getTime() + leaseMs).toISOString();
  const { taken, delivery } = await deps.deliveries.claimDelivery(claimOf(deps, digest.id, key, leaseMs));
  if (!taken) {
    if (delivery.state === 'claimed') return { state: 'retry-later' };
    if (delivery.state !== 'sending') return { state: delivery.state, earlier: true };
    // Left `sending` by a sender that died during the SES call: settle it as uncertain, never resend it. A
    // `sending` younger than a lease may still be in flight elsewhere: look again later.
    const abandoned = await deps.deliveries.settleAbandoned(
      digest.id,
      key,
      new Date(deps.now().getTime() - leaseMs).toISOString(),
      deps.now().toISOString(),
    );
    if (abandoned) return { state: 'uncertain' };
    const now = await deps.deliveries.claimDelivery({ ...claimOf(deps, digest.id, key, leaseMs) });
    return now.delivery.state === 'uncertain' ? { state: 'uncertain', earlier: true } : { state: 'retry-later' };
  }

  const settle = (outcome: Parameters<Deliveries['settleDelivery']>[3]) =>
    deps.deliveries.settleDelivery(digest.id, key, deps.owner, outcome, deps.now().toISOString());

  // Read at its turn, not at planning: whoever unsubscribed or bounced since is not mailed.
  const subscriber = await deps.subscribers.get(key);
  if (subscriber?.status !== 'confirmed') {
    await settle({ state: 'skipped', reason: subscriber ? subscriber.status : 'erased' });
    return { state: 'skipped' };
  }
  const message = await deps.compose(
    digest.compiled as CompiledForSending,
    { address: subscriber.address, ...(subscriber.name ? { name: subscriber.name } : {}) },
    unsubscribeUrl(deps, key),
    deps.now(),
  );

  for (let attempt = 0; ; attempt++) {
    const wait = pacer.reserve(deps.now().getTime());
    if (wait > 0) await deps.sleep(wait);
    if (!(await deps.deliveries.markSending(digest.id, key, deps.owner, deps.now().toISOString()))) {
      // The lease ran out during a long back-off and another sender took the recipient over.
      return { state: 'retry-later' };
    }
    let messageId: string;
    try {
      ({ messageId } = await deps.mailer.send(message));
    } catch (error) {
      if (error instanceof MailRejectedError) {
        await settle({ state: 'failed', reason: error.message });
        deps.log.warn('digest delivery rejected', { digestId: digest.id, reason: error.message });
        return { state: 'failed' };
      }
      if (error instanceof MailThrottledError || error instanceof MailBlockedError) {
        // SES answered, so the message was not sent: hand the claim back.
        await deps.deliveries.releaseDelivery(digest.id, key, deps.owner, lease());
        if (error instanceof MailBlockedError) throw error;
        // Throttled again and again (or the daily quota is spent): stop the batch rather than hammer SES.
        if (attempt >= (deps.maxThrottleRetries ?? 6)) return { state: 'stop' };
        await deps.sleep(backoffMs(attempt, deps.random));
        continue;
      }
      // No usable answer (a timeout, a 500, something unforeseen): SES may have accepted it. Never resend.
      const reason = describeError(error);
      await settle({ state: 'uncertain', reason });
      deps.log.error('digest delivery outcome unknown; not retried', { digestId: digest.id, key, reason });
      return { state: 'uncertain' };
    }
    // Outside the try: SES has accepted the message, so a failure from here on must leave it `sending` (never
    // released for another attempt).
    await settle({ state: 'sent', messageId });
    return { state: 'sent' };
  }
};

const claimOf = (deps: SenderDeps, digestId: string, key: string, leaseMs: number) => ({
  digestId,
  key,
  owner: deps.owner,
  leaseUntil: new Date(deps.now().getTime() + leaseMs).toISOString(),
  now: deps.now().toISOString(),
});
