/**
 * What the planner and the sender both do with the digest ledger: whoever sees the last batch complete (a sender
 * storing its tally, or a planner resuming a digest whose batches all finished while it was stopped) closes the
 * digest with the sums of its batches' tallies.
 */
import type { DigestLedger } from './ports.ts';

/**
 * Marks a digest finished once every batch queued for it has a complete tally, with the sums of those tallies.
 * Cheap: one small item per 100 recipients, read when a batch completes.
 */
export const finishIfDone = async (
  ledger: Pick<DigestLedger, 'getDigest' | 'batchTallies' | 'finishDigest'>,
  id: string,
  now: Date,
): Promise<void> => {
  const record = await ledger.getDigest(id);
  if (record?.status !== 'sending') return;
  const { batches, totals } = await ledger.batchTallies(id);
  if (batches >= record.batches) await ledger.finishDigest(id, totals, now.toISOString());
};
