import type { Mailer, OutgoingMessage } from '../functions/app/ports.ts';
import { MailThrottledError } from '../functions/core/errors.ts';

/** One message the stand-in accepted, and when (performance.now(), in ms). */
export interface Acceptance {
  to: string;
  at: number;
  messageId: string;
  bytes: number;
}

export interface SesStandIn extends Mailer {
  /** Every accepted message, in order. */
  readonly accepted: readonly Acceptance[];
  /** How many sends it refused with MailThrottledError. */
  readonly throttled: () => number;
}

/**
 * An SES account's maximum send rate as a Mailer: at most `ratePerSecond` messages accepted in any sliding window
 * of one second; a send beyond that throws MailThrottledError, as SES answers `Throttling` ("Maximum sending rate
 * exceeded", no rate-limit headers). A refused send does not count against the window (SES sent nothing).
 *
 * A sliding window is stricter than a token bucket with a burst of `ratePerSecond`: it allows the same long-run rate
 * but never more than `ratePerSecond` in any one second, so a sender that passes here passes under either model.
 * It answers at once (no network latency): what is measured is the sender's pacing, not SES's round trip.
 */
export const createSesStandIn = (options: { ratePerSecond: number; windowMs?: number }): SesStandIn => {
  const windowMs = options.windowMs ?? 1000;
  const accepted: Acceptance[] = [];
  /** Index into `accepted` of the oldest acceptance still inside the window. */
  let windowStart = 0;
  let throttled = 0;
  return {
    accepted,
    throttled: () => throttled,
    send: async (message: OutgoingMessage) => {
      const now = performance.now();
      while (windowStart < accepted.length && (accepted[windowStart]?.at ?? now) <= now - windowMs) windowStart++;
      if (accepted.length - windowStart >= options.ratePerSecond) {
        throttled++;
        throw new MailThrottledError('Maximum sending rate exceeded.');
      }
      const messageId = `stand-in-${accepted.length + 1}`;
      accepted.push({ to: message.to, at: now, messageId, bytes: message.raw.byteLength });
      return { messageId };
    },
  };
};
