import { backoffMs } from '../core/digest/pacing.ts';
import { MailThrottledError } from '../core/errors.ts';
import type { Mailer } from './ports.ts';

/**
 * A mailer that tries a throttled message again a few times, after full-jitter back-off, before giving the
 * throttling to its caller. Safe because SES's throttling answer means the message was not accepted. Confirmation
 * mail needs it: while a digest goes out it takes all but a sliver of the account's rate (see core/digest/pacing.ts),
 * and a confirmation handed back to the queue would wait minutes for its next turn.
 */
export const withThrottleRetries = (
  mailer: Mailer,
  options: { retries: number; sleep: (ms: number) => Promise<void>; random: () => number },
): Mailer => ({
  send: async (message) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await mailer.send(message);
      } catch (error) {
        if (!(error instanceof MailThrottledError) || attempt > options.retries) throw error;
        await options.sleep(backoffMs(attempt, options.random));
      }
    }
  },
});
