import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3ContentStore, REDIRECT_METADATA_KEY } from '../../functions/adapters/s3-content-store.ts';
import type { ContentStore } from '../../functions/app/ports.ts';
import { aliasFile } from '../../functions/core/site/redirects.ts';
import { type StandIns, startStandIns } from '../../functions/local/stand-ins.ts';

/*
 * The content store's public side through the real SDK over HTTP against s3rver (see shared/FINDINGS.md for its
 * gaps; user metadata and Content-Type it keeps as S3 does). Each test writes its own keys.
 */
let standIns: StandIns;
let store: ContentStore;
const site = { baseUrl: 'https://notes.example/' };

beforeAll(async () => {
  standIns = await startStandIns();
  store = createS3ContentStore({ bucket: standIns.bucket, client: standIns.s3 });
});

afterAll(async () => {
  await standIns?.close();
});

const head = (key: string) => standIns.s3.send(new HeadObjectCommand({ Bucket: standIns.bucket, Key: key }));

describe('writing alias files', () => {
  it('stores the target as redirect-to metadata, with the HTML type and the alias page as body', async () => {
    // Prepare
    const file = aliasFile('/2019/10/hello/', '/posts/hello/', site);

    // Act
    await store.writePublic(file);
    const object = await standIns.s3.send(
      new GetObjectCommand({ Bucket: standIns.bucket, Key: 'site/2019/10/hello/index.html' }),
    );

    // Assess
    expect(object.Metadata).toEqual({ [REDIRECT_METADATA_KEY]: '/posts/hello/' });
    expect(object.ContentType).toBe('text/html; charset=utf-8');
    expect(object.CacheControl).toBe('public, max-age=300, stale-while-revalidate=60');
    expect(await object.Body?.transformToString()).toBe(file.body);
  });

  it('stores an alias at a feed address as HTML, not as a feed', async () => {
    // Act
    await store.writePublic(aliasFile('/index.xml', '/feed.xml', site));
    const object = await head('site/index.xml');

    // Assess
    expect(object.ContentType).toBe('text/html; charset=utf-8');
    expect(object.Metadata?.[REDIRECT_METADATA_KEY]).toBe('/feed.xml');
  });

  it('percent-encodes a target a header cannot carry, and keeps an absolute one', async () => {
    // Act
    await store.writePublic(aliasFile('/old-café/', '/posts/café au lait/', site));
    await store.writePublic(aliasFile('/moved/', 'https://elsewhere.example/a?b=c', site));

    // Assess
    expect((await head('site/old-café/index.html')).Metadata?.[REDIRECT_METADATA_KEY]).toBe(
      '/posts/caf%C3%A9%20au%20lait/',
    );
    expect((await head('site/moved/index.html')).Metadata?.[REDIRECT_METADATA_KEY]).toBe(
      'https://elsewhere.example/a?b=c',
    );
  });

  it('leaves no redirect behind when a page is written over an alias file', async () => {
    // Prepare
    await store.writePublic(aliasFile('/taken/', '/posts/hello/', site));

    // Act
    await store.writePublic({ path: 'taken/index.html', body: '<!doctype html><title>Taken</title>' });
    const object = await head('site/taken/index.html');

    // Assess
    expect(object.Metadata ?? {}).toEqual({});
    expect(object.ContentType).toBe('text/html; charset=utf-8');
  });

  it('writes a plain file with no user metadata', async () => {
    // Act
    await store.writePublic({ path: 'feed.xml', body: '<rss version="2.0"/>' });
    const object = await head('site/feed.xml');

    // Assess
    expect(object.Metadata ?? {}).toEqual({});
    expect(object.ContentType).toBe('application/rss+xml; charset=utf-8');
  });
});
