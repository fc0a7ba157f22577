import { publishDue } from '../app/publish.ts';
import { createPublishDeps } from './deployed-publish-deps.ts';
import { readPublisherEnvironment } from './environment.ts';

/**
 * Lambda entry on a schedule (every few minutes): publishes posts whose publishDate has come and withdraws posts
 * past their expiryDate. Idempotent, so overlapping or repeated runs are harmless.
 */
const deps = await createPublishDeps(readPublisherEnvironment());

export const handler = async (_event: unknown, context?: { awsRequestId?: string }) => {
  const results = await publishDue({ ...deps, owner: `due:${context?.awsRequestId ?? crypto.randomUUID()}` });
  for (const result of results) deps.log.info('due post reconciled', { ...result });
  return results;
};
