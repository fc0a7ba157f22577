import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsonLogger, silentLogger } from '../app/logger.ts';
import type { PublishResult } from '../app/publish.ts';
import { describeError } from '../core/errors.ts';
import { siteUrl } from '../core/paths.ts';
import { formatProblem } from '../core/problems.ts';
import { siteFeedLayout } from '../core/site/feed-paths.ts';
import { describeListenError, parsePort } from './dev-server.ts';
import { writeLocalRun } from './local-run-file.ts';
import { startLocalSite } from './local-site.ts';
import { STAND_IN_CLIENT_SETTINGS } from './stand-ins.ts';
import { watchPosts } from './watcher.ts';

/**
 * `npm start`: the deployed pipeline on this machine. In-process S3 and DynamoDB stand-ins, the real publish
 * handler fed by the bucket's own events, content/posts uploaded as an author would, then the site served from
 * the bucket. Edits under content/posts are uploaded again while it runs.
 */
// The deployed functions run on Node.js 24; the SDK's notice about Node 20 locally is noise for an author.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = fileURLToPath(new URL('../../', import.meta.url));
const postsDir = join(root, 'content', 'posts');
const port = parsePort(process.env.PORT, 8787);
if (typeof port === 'string') {
  console.error(port);
  process.exit(2);
}
const verbose = process.argv.includes('--verbose');

const printResults = (results: PublishResult[]): void => {
  const posts = results.filter((r) => r.kind === 'post');
  const byStatus = new Map<string, number>();
  for (const result of posts) byStatus.set(result.status, (byStatus.get(result.status) ?? 0) + 1);
  const assets = results.filter((r) => r.kind === 'asset' && r.published).length;
  const summary = [...byStatus.entries()].map(([status, count]) => `${count} ${status}`).join(', ');
  console.log(`Posts: ${summary || 'none'}; images and other files published: ${assets}`);
  for (const result of posts) {
    for (const problem of result.problems)
      console.log(`  ${formatProblem({ ...problem, file: `content/posts/${problem.file}` })}`);
  }
};

const main = async (): Promise<void> => {
  const started = Date.now();
  const local = await startLocalSite({ root, port, log: verbose ? createJsonLogger() : silentLogger });
  const { publisher, site } = local;
  const files = await local.publishAll();

  console.log(
    `Published content/posts (${files.length} files) in ${Date.now() - started} ms through the local S3 and DynamoDB stand-ins.`,
  );
  printResults(publisher.results);
  for (const failure of publisher.failures) console.error('Publishing failed after retries:', failure.error);
  // The sample readers of content/subscribers.csv get a digest of what was just published, into the outbox.
  const readers = await local.importSubscribers(join(root, 'content', 'subscribers.csv'));
  const { plans } = await local.digests.run();
  for (const plan of plans) {
    const record = await local.digests.ledger.getDigest(plan.id);
    console.log(
      `Digest:    "${record?.subject ?? plan.id}", ${plan.posts} posts, sent to ${record?.sent ?? 0} of ${readers} sample readers (content/subscribers.csv) into the outbox`,
    );
  }
  console.log('');
  console.log(`Site:      ${local.url}`);
  const feeds = siteFeedLayout(site).main;
  console.log(`RSS:       ${siteUrl(site, feeds.rss)}`);
  console.log(`Atom:      ${siteUrl(site, feeds.atom)}`);
  console.log(`JSON Feed: ${siteUrl(site, feeds.json)}`);
  console.log(`Subscribe: ${siteUrl(site, 'subscribe/')}  (mail goes to the outbox, not to the Internet)`);
  console.log(`Outbox:    ${local.url}_outbox/  (.local/outbox/*.eml)`);
  console.log(`Next mail: ${local.url}_outbox/next  (the digest subscribers would get next; sends nothing)`);
  console.log('List:      npm run cli -- subscribers count   (in another terminal, while this runs)');
  console.log(`Serving. Edit files in content/posts to republish; Ctrl+C to stop.`);
  const removeRunFile = await writeLocalRun(root, {
    pid: process.pid,
    siteUrl: local.url,
    dynamoEndpoint: local.standIns.dynamoEndpoint,
    tableName: local.standIns.tableName,
    ...STAND_IN_CLIENT_SETTINGS,
    tokenKey: Buffer.from(local.tokenKey).toString('hex'),
  });

  // The server answers every request itself; this is the last guard, so that no failure leaves a stale run file
  // (with its token key) behind for `npm run cli` to find.
  process.once('uncaughtException', (error) => {
    console.error('The local run stopped on an unexpected error:', error);
    void removeRunFile().finally(() => process.exit(1));
  });

  const verbs = { added: 'Published', changed: 'Republished', removed: 'Removed' } as const;
  const watcher = await watchPosts(
    postsDir,
    async (changes) => {
      const before = publisher.results.length;
      for (const { path, change } of changes) {
        if (change === 'removed') await local.remove(path);
        else await local.upload(path);
      }
      await publisher.idle();
      const results = publisher.results.slice(before);
      for (const { path, change } of changes) console.log(`${verbs[change]} content/posts/${path}`);
      printResults(results);
      for (const { path, change } of changes) {
        const rejected = results.some(
          (r) => r.kind === 'post' && r.sourcePath === path && r.problems.some((p) => p.severity === 'error'),
        );
        if (change === 'changed' && rejected)
          console.log(`  The previous version of content/posts/${path} stays online until the error is fixed.`);
      }
    },
    { onError: (error) => console.error('Watching content/posts failed:', error) },
  );

  const stop = async (): Promise<void> => {
    await removeRunFile();
    await watcher.close();
    await local.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

main().catch((error: unknown) => {
  console.error(describeListenError(error, port) ?? describeError(error));
  process.exit(1);
});
