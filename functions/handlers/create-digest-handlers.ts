import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { emitMetrics } from '../app/logger.ts';
import { type PlannerDeps, type PlanResult, planDigests } from '../app/plan-digest.ts';
import type { RecipientBatch } from '../app/ports.ts';
import { type SenderDeps, sendRecipientBatch } from '../app/send-digest.ts';
import { FeedmailError } from '../core/errors.ts';

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
  async (event, context) => {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      let batch: RecipientBatch;
      try {
        batch = parseBatch(record.body);
      } catch (error) {
        deps.log.error('unreadable digest batch dropped', {
          messageId: record.messageId,
          error: error instanceof Error ? error.message : String(error),
        });
        continue;
      }
      const owner = `${context?.awsRequestId ?? crypto.randomUUID()}:${record.messageId}`;
      try {
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
        if (result.retryLater.length > 0) failures.push({ itemIdentifier: record.messageId });
      } catch (error) {
        deps.log.error('digest batch failed; SQS will deliver it again', {
          digestId: batch.digestId,
          batchId: batch.batchId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
