import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublisherStack } from '../../cdk/publisher-stack.ts';
import { type DigestHarness, startDigestHarness } from '../support/digest-harness.ts';
import { type Call, recordDynamoCalls, synthesiseForGrants } from '../support/iam-grants.ts';

/*
 * The digest functions' IAM grants against what their code really calls (see tests/support/iam-grants.ts): the
 * planner and the sender over the DynamoDB stand-in, each request checked against that function's role.
 */
describe('digest IAM grants cover the calls the code makes', () => {
  let h: DigestHarness;
  let role: 'planner' | 'sender' = 'planner';
  let calls: Record<'planner' | 'sender', Call[]>;
  let stack: PublisherStack;
  let denied: ReturnType<typeof synthesiseForGrants>['denied'];

  beforeAll(async () => {
    h = await startDigestHarness();
    calls = recordDynamoCalls(h.standIns.dynamo, () => role);
    ({ stack, denied } = synthesiseForGrants());
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('lets the planner and the sender do everything they do, and records what that is', async () => {
    await h.publish({ id: 'one' });
    await h.addSubscribers(20);
    await h.addSubscribers(2, 'unsubscribed', 'left');
    calls.planner = [];

    role = 'planner';
    await h.plan();
    role = 'sender';
    await h.drain();

    expect(calls.planner.length).toBeGreaterThan(0);
    expect(calls.sender.length).toBeGreaterThan(0);
    expect(denied(stack.digests.planner, calls.planner)).toEqual([]);
    expect(denied(stack.digests.sender, calls.sender)).toEqual([]);
  });
});
