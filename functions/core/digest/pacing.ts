/**
 * Sending paced to SES: the account's maximum send rate (with headroom, shared between the sender instances that
 * run at once) and its 24-hour quota, plus back-off with jitter when SES throttles anyway.
 */

/** What SES GetSendQuota answers. */
export interface SendQuota {
  /** Messages per second the account may send. */
  maxSendRate: number;
  /** Messages per rolling 24 hours; -1 means unlimited. */
  max24HourSend: number;
  sentLast24Hours: number;
}

/** Below the account's rate, so that bursts of other mail (confirmations) and clock skew do not cause throttling. */
export const RATE_HEADROOM = 0.97;
/** Keep this share of the daily quota for confirmation mails: a digest must not lock out new subscribers. */
export const QUOTA_RESERVE = 0.02;

/**
 * Messages per second one sender instance may send when `concurrency` instances share the account.
 * @example rateForInstance({ maxSendRate: 14, max24HourSend: 50000, sentLast24Hours: 0 }, 2) // 6.79
 */
export const rateForInstance = (quota: SendQuota, concurrency: number): number =>
  (quota.maxSendRate * RATE_HEADROOM) / Math.max(1, concurrency);

/** How many more messages the 24-hour quota allows now (Infinity when unlimited). */
export const remainingToday = (quota: SendQuota): number =>
  quota.max24HourSend < 0
    ? Number.POSITIVE_INFINITY
    : Math.floor(quota.max24HourSend * (1 - QUOTA_RESERVE) - quota.sentLast24Hours);

/**
 * A schedule of evenly spaced send slots at `ratePerSecond`: each call reserves the next slot and says how long to
 * wait for it. Idle time is not banked, so a pause never turns into a burst above the rate.
 */
export const createPacer = (ratePerSecond: number) => {
  const interval = 1000 / ratePerSecond;
  let nextSlot = Number.NEGATIVE_INFINITY;
  return {
    /** Milliseconds to wait before sending, given the current time in ms. */
    reserve(nowMs: number): number {
      const slot = Math.max(nowMs, nextSlot);
      nextSlot = slot + interval;
      return slot - nowMs;
    },
  };
};

/**
 * "Full jitter" exponential back-off: a random wait between 0 and min(cap, base * 2^attempt), so senders that were
 * throttled together do not retry together.
 * @example backoffMs(3, () => 0.5) // 800 (half of 200 * 2^3)
 */
export const backoffMs = (attempt: number, random: () => number, baseMs = 200, capMs = 10_000): number =>
  Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
