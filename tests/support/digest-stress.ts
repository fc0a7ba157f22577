import type { RecipientBatch } from '../../functions/app/ports.ts';
import { MailThrottledError } from '../../functions/core/errors.ts';
import type { DigestHarness } from './digest-harness.ts';

export interface StressedSending {
  /** The batches the planner queued, each once. */
  batches: RecipientBatch[];
  /** Calls that reached the mailer, throttled ones included. */
  mailerCalls: number;
  throttled: number;
}

/**
 * Sends the batches the planner queued the hard way, as production may: two senders working the queue at once,
 * every seventh batch delivered twice (SQS is at-least-once, and the copy may arrive while the first still runs),
 * and SES throttling one call in ten (injected in the mailer: no stand-in throttles). A batch handed back comes
 * again once a send under way has ended, as SQS redelivers it after its visibility timeout. Used by tests/app/digest-scale.test.ts on a small list and by `npm run bench`
 * on a large one.
 */
export const sendUnderStress = async (h: DigestHarness): Promise<StressedSending> => {
  const batches = h.queued.splice(0);
  const deliveries = batches.flatMap((batch, i) => (i % 7 === 0 ? [batch, batch] : [batch]));
  let mailerCalls = 0;
  let throttled = 0;
  const mailer = {
    send: async (message: { to: string; from: string; raw: Uint8Array }) => {
      if (++mailerCalls % 10 === 0) {
        throttled++;
        throw new MailThrottledError('Maximum sending rate exceeded.');
      }
      h.sent.push(message);
      return { messageId: `m-${mailerCalls}` };
    },
  };
  const handedBack: RecipientBatch[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const worker = async () => {
    for (;;) {
      const batch = deliveries.shift();
      if (!batch) {
        if (handedBack.length === 0 && inFlight.size === 0) return;
        // SQS gives a handed-back batch again only after its visibility timeout: here, once a send under way ends
        // (retrying at once would spin against the other sender's claims).
        if (inFlight.size > 0) await Promise.race([...inFlight].map((sending) => sending.catch(() => undefined)));
        deliveries.push(...handedBack.splice(0));
        continue;
      }
      const sending = h.send(batch, { mailer });
      inFlight.add(sending);
      try {
        if ((await sending).retryLater.length > 0) handedBack.push(batch);
      } finally {
        inFlight.delete(sending);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  return { batches, mailerCalls, throttled };
};
