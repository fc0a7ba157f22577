import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../../functions/app/ports.ts';
import { withThrottleRetries } from '../../functions/app/throttle-retries.ts';
import { MailRejectedError, MailThrottledError } from '../../functions/core/errors.ts';

/* SES throttling is injected: no stand-in throttles. The sleeps are recorded, not waited for. */
const message: OutgoingMessage = { from: 'news@notes.example', to: 'ada@example.org', raw: new Uint8Array() };

const failingMailer = (failures: Error[]) => {
  let calls = 0;
  return {
    calls: () => calls,
    send: async () => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return { messageId: 'm-1' };
    },
  };
};

describe('withThrottleRetries', () => {
  it('sends after throttling that clears within the retries, backing off with jitter', async () => {
    // Prepare
    const inner = failingMailer([new MailThrottledError('Maximum sending rate exceeded.'), new MailThrottledError('')]);
    const sleeps: number[] = [];
    const mailer = withThrottleRetries(inner, {
      retries: 4,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
    });

    // Act
    const result = await mailer.send(message);

    // Assess: waits of up to 200 * 2^attempt, at the top of the range since random() is 1
    expect(result).toEqual({ messageId: 'm-1' });
    expect(inner.calls()).toBe(3);
    expect(sleeps).toEqual([400, 800]);
  });

  it('gives the throttling to its caller once the retries are spent', async () => {
    // Prepare
    const inner = failingMailer(
      Array.from({ length: 6 }, () => new MailThrottledError('Maximum sending rate exceeded.')),
    );
    const mailer = withThrottleRetries(inner, { retries: 4, sleep: async () => {}, random: () => 0.5 });

    // Act, Assess
    await expect(mailer.send(message)).rejects.toBeInstanceOf(MailThrottledError);
    expect(inner.calls()).toBe(5);
  });

  it('never tries a refused message again', async () => {
    // Prepare
    const inner = failingMailer([new MailRejectedError('Address blacklisted.')]);
    const mailer = withThrottleRetries(inner, { retries: 4, sleep: async () => {}, random: () => 0.5 });

    // Act, Assess
    await expect(mailer.send(message)).rejects.toBeInstanceOf(MailRejectedError);
    expect(inner.calls()).toBe(1);
  });
});
