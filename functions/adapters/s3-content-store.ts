import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { ContentStore } from '../app/ports.ts';
import { FeedmailError } from '../core/errors.ts';
import { httpHeadersFor } from '../core/paths.ts';
import { REPORT_SUFFIX } from '../core/posts/source-kind.ts';
import { locationHeaderOf } from '../core/site/redirects.ts';
import type { PublicFile } from '../core/types.ts';

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

/**
 * The S3 user metadata key of an alias file's target (`x-amz-meta-redirect-to` on the wire). The CloudFront
 * viewer-response function and the dev server answer 301 to its value.
 */
export const REDIRECT_METADATA_KEY = 'redirect-to';

/**
 * How a public file is stored: Content-Type and Cache-Control by its path (or its own content type); an alias file is an HTML page whatever
 * its path (`/index.xml` may be an old address too), with its target as user metadata. Metadata travels as an HTTP
 * header, which takes ASCII only, so the target is percent-encoded where it must be.
 */
const objectHeadersOf = (file: PublicFile) => {
  if (file.redirectTo === undefined) {
    const { contentType, cacheControl } = httpHeadersFor(file.path, file.contentType);
    return { ContentType: contentType, CacheControl: cacheControl };
  }
  const { contentType, cacheControl } = httpHeadersFor('alias.html');
  return {
    ContentType: contentType,
    CacheControl: cacheControl,
    Metadata: { [REDIRECT_METADATA_KEY]: locationHeaderOf(file.redirectTo) },
  };
};

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

  /** Runs one S3 call: a missing key gives `ifMissing()` where the caller expects one, any failure a domain error. */
  const attempt = async <T>(what: string, call: () => Promise<T>, ifMissing?: () => T): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (ifMissing && isMissing(error)) return ifMissing();
      throw new ContentStoreError(`S3 ${what} failed in bucket ${Bucket}`, { cause: error });
    }
  };

  return {
    readSource: (sourcePath) =>
      attempt(
        `GetObject ${posts}${sourcePath}`,
        async () => {
          const response = await client.send(new GetObjectCommand({ Bucket, Key: posts + sourcePath }));
          const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
          return { bytes, etag: response.ETag ?? '' };
        },
        () => undefined,
      ),

    listSources: () =>
      attempt(`ListObjectsV2 ${posts}`, async () => {
        const keys: string[] = [];
        for await (const page of paginateListObjectsV2({ client }, { Bucket, Prefix: posts })) {
          for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(posts.length));
        }
        return keys;
      }),

    sourceExists: (sourcePath) =>
      attempt(
        `HeadObject ${posts}${sourcePath}`,
        async () => {
          await client.send(new HeadObjectCommand({ Bucket, Key: posts + sourcePath }));
          return true;
        },
        () => false,
      ),

    async writePublic(file) {
      // A PutObject replaces the metadata too: a page written over an alias file is a plain page again.
      await attempt(`PutObject ${site}${file.path}`, () =>
        client.send(new PutObjectCommand({ Bucket, Key: site + file.path, Body: file.body, ...objectHeadersOf(file) })),
      );
    },

    async deletePublic(path) {
      await attempt(`DeleteObject ${site}${path}`, () =>
        client.send(new DeleteObjectCommand({ Bucket, Key: site + path })),
      );
    },

    copySourceToPublic: (sourcePath, publicPath) => {
      const { contentType, cacheControl } = httpHeadersFor(publicPath);
      return attempt(
        `CopyObject ${posts}${sourcePath}`,
        async () => {
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
        },
        () => false,
      );
    },

    async writeReport(sourcePath, text) {
      const Key = posts + sourcePath + REPORT_SUFFIX;
      if (text === undefined) {
        await attempt(`DeleteObject ${Key}`, () => client.send(new DeleteObjectCommand({ Bucket, Key })));
        return;
      }
      await attempt(`PutObject ${Key}`, () =>
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
