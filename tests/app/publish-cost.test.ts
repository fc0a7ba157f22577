import { describe, expect, it } from 'vitest';
import { measureIncrementalPublish } from '../../bench/publish.ts';
import { testSite } from '../support/publisher-harness.ts';

/*
 * The cost of one publish must not grow with the number of posts already published. Counted in requests to the
 * S3 and DynamoDB stand-ins (deterministic), never timed: timings live in `npm run bench`.
 */
describe('incremental publish cost', () => {
  it('makes the same number of S3 and DynamoDB requests with 10 and with 300 posts already published', async () => {
    // Prepare
    const site = testSite({ feedSize: 20, pageSize: 20 });

    // Act
    const small = await measureIncrementalPublish(site, 10, 2);
    const large = await measureIncrementalPublish(site, 300, 2);

    // Assess
    expect(large.s3Requests).toBe(small.s3Requests);
    expect(large.dynamoRequests).toBe(small.dynamoRequests);
    expect(small.requests).toBeGreaterThan(0);
  });
});
