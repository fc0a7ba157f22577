import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublisherStack } from '../../cdk/publisher-stack.ts';
import { publishDue } from '../../functions/app/publish.ts';
import { createPublishHandler, type PublishHandler } from '../../functions/handlers/create-publish-handler.ts';
import { createPublishDeps } from '../../functions/handlers/deployed-publish-deps.ts';
import { type StandIns, startStandIns } from '../../functions/local/stand-ins.ts';
import { s3Event } from '../support/events.ts';
import { type Call, describeCall, recordDynamoCalls, synthesiseForGrants } from '../support/iam-grants.ts';
import { postText, testSite } from '../support/publisher-harness.ts';

/*
 * The publish functions' IAM grants against what their code really calls (see tests/support/iam-grants.ts): the
 * deployed dependencies (deployed-publish-deps.ts) over the S3 and DynamoDB stand-ins, driven through uploads, edits,
 * a rename, a slug taken twice, a site file, an asset, a rejected post and deletions (publish-post), and a
 * scheduled post and an expiry coming due (publish-due). Each request is checked against that function's role.
 */
describe('publish IAM grants cover the calls the code makes', () => {
  let standIns: StandIns;
  let role: 'publish' | 'due' = 'publish';
  let calls: Record<'publish' | 'due', Call[]>;
  let stack: PublisherStack;
  let denied: ReturnType<typeof synthesiseForGrants>['denied'];
  let deps: Awaited<ReturnType<typeof createPublishDeps>>;
  let handler: PublishHandler;

  beforeAll(async () => {
    standIns = await startStandIns();
    calls = recordDynamoCalls(standIns.dynamo, () => role);
    const environment = {
      bucket: standIns.bucket,
      tableName: standIns.tableName,
      postsPrefix: 'posts/',
      sitePrefix: 'site/',
      site: testSite(),
    };
    deps = await createPublishDeps(environment, {
      dynamo: standIns.dynamo,
      s3: standIns.s3,
      siteTemplates: new URL('../../templates/site', import.meta.url).pathname,
    });
    deps.log = { info() {}, warn() {}, error() {} };
    handler = createPublishHandler(deps, environment.postsPrefix);
    ({ stack, denied } = synthesiseForGrants());
  }, 60_000);

  afterAll(async () => {
    await standIns?.close();
  });

  const upload = async (path: string, text: string) => {
    await standIns.s3.send(new PutObjectCommand({ Bucket: standIns.bucket, Key: `posts/${path}`, Body: text }));
    return handler(s3Event('created', `posts/${path}`));
  };
  const remove = async (path: string) => {
    await standIns.s3.send(new DeleteObjectCommand({ Bucket: standIns.bucket, Key: `posts/${path}` }));
    return handler(s3Event('removed', `posts/${path}`));
  };

  it('lets publish-post and publish-due do everything they do, and records what that is', async () => {
    // Prepare / Act: publish-post, through what authors do.
    role = 'publish';
    const heron = (slug: string, title = 'Heron notes') =>
      postText({ title, slug, id: 'heron', extra: 'tags: [birds]\naliases: [/old/heron/]' });
    await upload('heron.md', heron('heron'));
    await upload('heron.md', heron('heron', 'Heron notes, edited'));
    await upload('herons.md', heron('herons'));
    await remove('heron.md');
    await upload('other.md', postText({ title: 'Other', slug: 'herons', date: '2024-11-15T09:00:00Z' }));
    await upload('broken.md', '---\ntitle: [unclosed\n---\nBody.\n');
    await upload('heron.png', 'not really a png');
    await upload('_config.yml', 'title: Notes\n');
    await upload('later.md', postText({ title: 'Later', date: '2099-01-01T00:00:00Z' }));
    await upload('brief.md', postText({ title: 'Brief', extra: 'expiryDate: 2099-02-01T00:00:00Z' }));
    await upload('other.md', postText({ title: 'Other', slug: 'herons', date: '2024-11-15T09:00:00Z' }));
    await remove('other.md');

    // Act: publish-due, as the timer runs it once the scheduled post and the expiry come due.
    role = 'due';
    const due = await publishDue({ ...deps, now: () => new Date('2099-03-01T00:00:00Z'), owner: 'due:test' });

    // Assess
    expect(due.map((result) => [result.sourcePath, result.status]).sort()).toEqual([
      ['brief.md', 'expired'],
      ['later.md', 'published'],
    ]);
    const seen = new Set([...calls.publish, ...calls.due].map(describeCall));
    // The paths the grants are written for were all taken: the index, batches, claims moved and released.
    for (const call of ['Query SRC byDate', 'BatchGetItem SRC', 'UpdateItem MAILQ', 'DeleteItem CLAIM', 'Query DUE']) {
      expect(seen).toContain(call);
    }
    expect(denied(stack.publish.handler, calls.publish)).toEqual([]);
    expect(denied(stack.publish.dueHandler, calls.due)).toEqual([]);
  });

  it('keeps both publish roles off subscribers, digests, deliveries and the pause, and away from Scan', () => {
    // Prepare
    const outside: Call[] = [
      { action: 'GetItem', pk: 'SUB#00' },
      { action: 'Query', pk: 'SUB#07' },
      { action: 'PutItem', pk: 'SUB#15' },
      { action: 'DeleteItem', pk: 'SUB#03' },
      { action: 'GetItem', pk: 'DIGEST' },
      { action: 'UpdateItem', pk: 'DIGEST' },
      { action: 'PutItem', pk: 'DELIV#2026-11-23T07:00Z#00' },
      { action: 'PutItem', pk: 'SENDING' },
      { action: 'Query', pk: 'MAILQ' },
      { action: 'Query', pk: 'SUB#00', index: 'byDate' },
      { action: 'Scan' },
      { action: 'Scan', index: 'byDate' },
    ];

    // Act / Assess
    expect(denied(stack.publish.handler, outside)).toEqual(outside);
    expect(denied(stack.publish.dueHandler, outside)).toEqual(outside);
  });

  it('lets only the timer list and clear due entries', () => {
    // Prepare
    const timerOnly: Call[] = [
      { action: 'Query', pk: 'DUE' },
      { action: 'DeleteItem', pk: 'DUE' },
    ];

    // Act / Assess
    expect(denied(stack.publish.handler, timerOnly)).toEqual(timerOnly);
    expect(denied(stack.publish.dueHandler, timerOnly)).toEqual([]);
  });
});
