import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { emitMetrics } from '../app/logger.ts';
import { type PlannerDeps, type PlanResult, planDigests } from '../app/plan-digest.ts';
import type { RecipientBatch } from '../app/ports.ts';
import { type SenderDeps, sendRecipientBatch } from '../app/send-digest.ts';
import { parseMessage } from './parse-message.ts';
import { processSqsBatch } from './sqs-batch.ts';

/** What EventBridge Scheduler sends: `{"scheduledTime": "<aws.scheduler.scheduled-time>"}`. */
export interface PlanEvent {
  scheduledTime?: string;
}

/** Where the sender's batches come from, for the error of one that cannot be read. */
export const DIGEST_QUEUE = 'digest queue';

/**
 * A schedule trigger never fails to read: one without a string `scheduledTime` (a hand-run invoke with `{}`, or no
 * object at all) plans the slot of now, and so does a time that is no date (see slotOf in app/plan-digest.ts).
 */
const planEvent = z.looseObject({ scheduledTime: z.string().optional().catch(undefined) }).catch({});

/** A batch the planner queued. Each key is taken as a string whatever JSON value it is (String(key)), as it always was. */
const recipientBatch = z.object({ digestId: z.string(), batchId: z.string(), keys: z.array(z.coerce.string()) });

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
    const { scheduledTime } = planEvent.parse(event);
    const plans = await planDigests(deps, scheduledTime === undefined ? {} : { scheduledTime });
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

/**
 * Reads one queued batch.
 * @example parseBatch('{"digestId":"d","batchId":"b"}') // throws: digest queue message: field "keys": missing
 */
export const parseBatch = (body: string): RecipientBatch => parseMessage(DIGEST_QUEUE, recipientBatch, body);

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
