import { readFileSync } from 'node:fs';
import type { S3Event } from 'aws-lambda';

const load = (name: string): S3Event =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8')) as S3Event;

/**
 * A real S3 notification (from the fixtures) naming another key. Keys are URL-encoded as S3 encodes them.
 * @example s3Event('created', 'posts/hello.md')
 */
export const s3Event = (kind: 'created' | 'removed', key: string): S3Event => {
  const event = load(kind === 'created' ? 's3-object-created' : 's3-object-removed');
  const record = event.Records[0];
  if (!record) throw new Error('fixture has no record');
  record.s3.object.key = encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+');
  return event;
};
