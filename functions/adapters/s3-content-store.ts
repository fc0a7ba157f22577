import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { ContentStore } from '../app/ports.ts';
import { FeedmailError } from '../core/errors.ts';
import { httpHeadersFor } from '../core/paths.ts';
import { REPORT_SUFFIX } from '../core/source-kind.ts';

export interface S3ContentStoreOptions {
  bucket: string;
  client?: S3Client;
  /** Where authors upload (default `posts/`). */
  postsPrefix?: string;
  /** Where the public site lives; CloudFront serves this prefix (default `site/`). */
  sitePrefix?: string;
}

export class ContentStoreError extends FeedmailError {
  override name = 'ContentStoreError';
}

const isMissing = (error: unknown): boolean =>
  error instanceof NoSuchKey ||
  error instanceof NotFound ||
  (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404);

/** Author uploads and the public site in one bucket, under two prefixes. */
export const createS3ContentStore = (options: S3ContentStoreOptions): ContentStore => {
  const client = options.client ?? new S3Client({});
  const Bucket = options.bucket;
  const posts = options.postsPrefix ?? 'posts/';
  const site = options.sitePrefix ?? 'site/';

  const wrap = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (isMissing(error)) throw error;
      throw new ContentStoreError(`S3 ${what} failed in bucket ${Bucket}`, { cause: error });
    }
  };

  return {
    async readSource(sourcePath) {
      try {
        const response = await client.send(new GetObjectCommand({ Bucket, Key: posts + sourcePath }));
        const bytes = await (response.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array()));
        return { bytes, etag: response.ETag ?? '' };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw new ContentStoreError(`S3 GetObject ${posts}${sourcePath} failed in bucket ${Bucket}`, { cause: error });
      }
    },

    async sourceExists(sourcePath) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: posts + sourcePath }));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw new ContentStoreError(`S3 HeadObject ${posts}${sourcePath} failed in bucket ${Bucket}`, { cause: error });
      }
    },

    async writePublic(file) {
      const { contentType, cacheControl } = httpHeadersFor(file.path);
      await wrap(`PutObject ${site}${file.path}`, () =>
        client.send(
          new PutObjectCommand({
            Bucket,
            Key: site + file.path,
            Body: file.body,
            ContentType: contentType,
            CacheControl: cacheControl,
          }),
        ),
      );
    },

    async deletePublic(path) {
      await wrap(`DeleteObject ${site}${path}`, () =>
        client.send(new DeleteObjectCommand({ Bucket, Key: site + path })),
      );
    },

    async copySourceToPublic(sourcePath, publicPath) {
      const { contentType, cacheControl } = httpHeadersFor(publicPath);
      try {
        await client.send(
          new CopyObjectCommand({
            Bucket,
            Key: site + publicPath,
            CopySource: `${Bucket}/${encodeURIComponent(posts + sourcePath).replaceAll('%2F', '/')}`,
            MetadataDirective: 'REPLACE',
            ContentType: contentType,
            CacheControl: cacheControl,
          }),
        );
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw new ContentStoreError(`S3 CopyObject ${posts}${sourcePath} failed in bucket ${Bucket}`, { cause: error });
      }
    },

    async writeReport(sourcePath, text) {
      const Key = posts + sourcePath + REPORT_SUFFIX;
      if (text === undefined) {
        await wrap(`DeleteObject ${Key}`, () => client.send(new DeleteObjectCommand({ Bucket, Key })));
        return;
      }
      await wrap(`PutObject ${Key}`, () =>
        client.send(
          new PutObjectCommand({
            Bucket,
            Key,
            Body: text,
            ContentType: 'text/plain; charset=utf-8',
            CacheControl: 'no-store',
          }),
        ),
      );
    },
  };
};
