import type { S3Event } from 'aws-lambda';
import { type PublishDeps, type PublishResult, publishSource } from '../app/publish.ts';
import { loadSiteContent, once } from '../app/site-content.ts';
import { describeError, FeedmailError } from '../core/errors.ts';
import { sourcePathsOf } from './s3-event.ts';

export type PublishHandler = (event: S3Event, context?: { awsRequestId?: string }) => Promise<PublishResult[]>;

/**
 * S3 ObjectCreated/ObjectRemoved under the posts prefix -> publish each named key. A record that fails with an
 * unexpected error fails the invocation after the others are done, so Lambda retries it (publishing is idempotent).
 * Rejected posts are not failures: they get a report object beside the post and a structured log line.
 */
export const createPublishHandler =
  (deps: Omit<PublishDeps, 'owner'>, postsPrefix: string): PublishHandler =>
  async (event, context) => {
    const results: PublishResult[] = [];
    const failures: unknown[] = [];
    // The site files are read once per invocation, and only when a post needs them.
    const siteContent = deps.siteContent ?? once(() => loadSiteContent(deps.content));
    for (const sourcePath of sourcePathsOf(event, postsPrefix)) {
      const owner = `${context?.awsRequestId ?? crypto.randomUUID()}:${sourcePath}`;
      try {
        const result = await publishSource(sourcePath, { ...deps, siteContent, owner });
        results.push(result);
        logResult(deps, result);
      } catch (error) {
        failures.push(error);
        deps.log.error('publish failed; the event will be retried', {
          sourcePath,
          error: describeError(error, { named: true }),
        });
      }
    }
    if (failures.length > 0)
      throw new FeedmailError(`${failures.length} source(s) failed to publish`, { cause: failures[0] });
    return results;
  };

const logResult = (deps: Pick<PublishDeps, 'log'>, result: PublishResult): void => {
  if (result.kind === 'post' && result.problems.some((p) => p.severity === 'error')) {
    deps.log.warn('post rejected', { sourcePath: result.sourcePath, status: result.status, problems: result.problems });
  } else {
    deps.log.info('published', { ...result });
  }
};
