import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { emitMetrics } from '../app/logger.ts';
import { type PlannerDeps, type PlanResult, planDigests } from '../app/plan-digest.ts';
import type { RecipientBatch } from '../app/ports.ts';
import { type SenderDeps, sendRecipientBatch } from '../app/send-digest.ts';
import { FeedmailError } from '../core/errors.ts';
import { processSqsBatch } from './sqs-batch.ts';

/** What EventBridge Scheduler sends: `{"scheduledTime": "<aws.scheduler.scheduled-time>"}`. */
export interface PlanEvent {
  scheduledTime?: string;
}

export type PlanHandler = (event: PlanEvent) => Promise<PlanResult[]>;
export type SendHandler = (
  event: SQSEvent,
  context?: { awsRequestId?: string; getRemainingTimeInMillis?: () => number },
) => Promise<SQSBatchResponse>;

/** The CloudWatch namespace of the digest metrics (Embedded Metric Format log lines). */
export const DIGEST_METRICS = 'Feedmail/Digests';

/** Schedule trigger -> plan the digest of that slot (or, immediate cadence, a digest per new post). */
export const createPlanHandler =
  (deps: PlannerDeps): PlanHandler =>
  async (event) => {
    const plans = await planDigests(
      deps,
      typeof event?.scheduledTime === 'string' ? { scheduledTime: event.scheduledTime } : {},
    );
    for (const plan of plans) {
      emitMetrics(
        deps.log,
        DIGEST_METRICS,
        { Posts: plan.posts, Recipients: plan.recipients },
        { Stage: 'plan' },
        deps.now(),
      );
    }
    return plans;
  };

const parseBatch = (body: string): RecipientBatch => {
  const batch = JSON.parse(body) as Partial<RecipientBatch>;
  if (typeof batch.digestId !== 'string' || typeof batch.batchId !== 'string' || !Array.isArray(batch.keys)) {
    throw new FeedmailError('a digest batch message needs digestId, batchId and keys');
  }
  return { digestId: batch.digestId, batchId: batch.batchId, keys: batch.keys.map(String) };
};

/**
 * Recipient batches from SQS -> send. A batch with recipients left to try (throttled for too long, the daily quota
 * reached) is reported as failed, so SQS delivers it again after its visibility timeout; the claims make that
 * redelivery skip everyone already mailed. An unreadable message is logged and dropped (a retry cannot fix it).
 */
export const createSendHandler =
  (deps: Omit<SenderDeps, 'owner'>): SendHandler =>
  (event, context) =>
    processSqsBatch(event, {
      log: deps.log,
      kind: 'digest batch',
      parse: parseBatch,
      describeItem: (batch) => ({ digestId: batch.digestId, batchId: batch.batchId }),
      handle: async (batch, record) => {
        const owner = `${context?.awsRequestId ?? crypto.randomUUID()}:${record.messageId}`;
        const timeLeft = context?.getRemainingTimeInMillis?.bind(context);
        const result = await sendRecipientBatch({ ...deps, owner, ...(timeLeft ? { timeLeft } : {}) }, batch);
        deps.log.info('digest batch', {
          digestId: batch.digestId,
          batchId: batch.batchId,
          sent: result.sent - result.alreadyDone,
          failed: result.failed,
          skipped: result.skipped,
          uncertain: result.uncertain,
          alreadyDone: result.alreadyDone,
          retryLater: result.retryLater.length,
        });
        emitMetrics(
          deps.log,
          DIGEST_METRICS,
          {
            Sent: result.sent - result.alreadyDone,
            Failed: result.failed,
            Skipped: result.skipped,
            Uncertain: result.uncertain,
            RetryLater: result.retryLater.length,
          },
          { Stage: 'send' },
          deps.now(),
        );
        return result.retryLater.length > 0;
      },
    });
