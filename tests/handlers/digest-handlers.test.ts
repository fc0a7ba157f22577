import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecipientBatch } from '../../functions/app/ports.ts';
import { MailThrottledError } from '../../functions/core/errors.ts';
import { createPlanHandler, createSendHandler } from '../../functions/handlers/create-digest-handlers.ts';
import { type DigestHarness, startDigestHarness } from '../support/digest-harness.ts';
import { sqsEvent } from '../support/events.ts';

/*
 * The planner and sender handlers with the event shapes Lambda delivers: EventBridge Scheduler's input (the
 * scheduled time) and SQS records (from the fixture), over the DynamoDB stand-in.
 */

describe('digest handlers', () => {
  let h: DigestHarness;
  beforeEach(async () => {
    h = await startDigestHarness();
    await h.publish({ id: 'one' });
    await h.addSubscribers(30);
  });
  afterEach(async () => {
    await h.close();
  });

  it('plans the digest of the slot EventBridge Scheduler names, once however often it fires', async () => {
    const plan = createPlanHandler(h.planner());

    const first = await plan({ scheduledTime: '2026-11-23T07:00:00Z' });
    const again = await plan({ scheduledTime: '2026-11-23T07:00:00Z' });

    expect(first.map((p) => p.id)).toEqual(['2026-11-23T07:00Z']);
    expect(again).toEqual([{ ...first[0], status: 'sending' }]);
    expect(new Set(h.queued.map((b) => b.batchId)).size).toBe(h.queued.length);
  });

  it('plans the slot of now for a trigger without a usable scheduledTime, as a hand-run invoke does', async () => {
    // Prepare
    const plan = createPlanHandler(h.planner());
    const triggers = [JSON.parse('{"scheduledTime":5}'), JSON.parse('null'), { scheduledTime: 'yesterday' }];

    // Act
    const plans = [];
    for (const trigger of triggers) plans.push(...(await plan(trigger)));

    // Assess
    expect(plans.map((p) => p.id)).toEqual(['2026-11-23T07:00Z', '2026-11-23T07:00Z', '2026-11-23T07:00Z']);
  });

  it('sends SQS batches and reports none failed', async () => {
    await createPlanHandler(h.planner())({ scheduledTime: '2026-11-23T07:00:00Z' });
    const send = createSendHandler(h.sender());

    const response = await send(sqsEvent(...h.queued.splice(0)), { awsRequestId: 'r1' });

    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.sent).toHaveLength(30);
    const line = h.logs.find((l) => l.message === 'digest batch');
    expect(line?.fields).toMatchObject({ digestId: '2026-11-23T07:00Z', sent: expect.any(Number) });
    const metrics = h.logs.filter((l) => l.message === 'metrics' && l.fields.Stage === 'send');
    expect(metrics.reduce((sum, l) => sum + Number(l.fields.Sent), 0)).toBe(30);
    expect(metrics[0]?.fields._aws).toMatchObject({
      CloudWatchMetrics: [{ Namespace: 'Feedmail/Digests', Dimensions: [['Stage']] }],
    });
  });

  it('hands a batch back to SQS when SES keeps throttling, and drops an unreadable message with a log line', async () => {
    await createPlanHandler(h.planner())({ scheduledTime: '2026-11-23T07:00:00Z' });
    const throttled = { send: async () => Promise.reject(new MailThrottledError('Maximum sending rate exceeded.')) };
    const send = createSendHandler(h.sender({ mailer: throttled, maxThrottleRetries: 2 }));
    const [first] = h.queued;

    const response = await send(sqsEvent(first as RecipientBatch, 'not json'));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'message-0' }]);
    expect(h.logs.some((l) => l.message === 'unreadable digest batch dropped')).toBe(true);
    expect(h.sent).toEqual([]);
  });
});
