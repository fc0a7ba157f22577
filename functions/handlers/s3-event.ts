import type { S3Event } from 'aws-lambda';

/**
 * The keys an S3 notification names, decoded. S3 URL-encodes keys in events, with `+` for spaces.
 * @example sourcePathsOf(event, 'posts/') // ['2024/hello world.md']
 */
export const sourcePathsOf = (event: S3Event, prefix: string): string[] => {
  const paths = new Set<string>();
  for (const record of event.Records ?? []) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (key.startsWith(prefix) && key.length > prefix.length) paths.add(key.slice(prefix.length));
  }
  return [...paths];
};
