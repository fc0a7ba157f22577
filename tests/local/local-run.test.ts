import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parseFeed } from '@rowanmanning/feed-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSiteTemplates } from '../../functions/adapters/site-templates.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import type { SiteConfig } from '../../functions/core/types.ts';
import { startDevServer } from '../../functions/local/dev-server.ts';
import {
  type LocalPublisher,
  POSTS_PREFIX,
  SITE_PREFIX,
  startLocalPublisher,
} from '../../functions/local/local-publisher.ts';
import { type StandIns, startStandIns } from '../../functions/local/stand-ins.ts';
import { launchBrowser, SKIP_REASON, skipBrowserTests, type TestBrowser } from '../support/browser.ts';
import { validateAtom, validateJsonFeed, validateRss } from '../support/feed-validator.ts';

/*
 * End to end, as `npm start` runs it: content/posts uploaded to the S3 stand-in, the bucket's own events driving the
 * real handler, the site served from the bucket. Then the feeds are validated and read back, and the pages opened.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const postsDir = join(root, 'content', 'posts');

let standIns: StandIns;
let publisher: LocalPublisher;
let dev: Awaited<ReturnType<typeof startDevServer>>;
let site: SiteConfig;

const fetchText = async (path: string) => {
  const response = await fetch(new URL(path, dev.url));
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
};

beforeAll(async () => {
  standIns = await startStandIns();
  dev = await startDevServer({ s3: standIns.s3, bucket: standIns.bucket, sitePrefix: SITE_PREFIX, port: 0 });
  const input = JSON.parse(await readFile(join(root, 'site.config.json'), 'utf8')) as Record<string, unknown>;
  site = parseSiteConfig({ ...input, baseUrl: dev.url });
  publisher = startLocalPublisher(standIns, site, {
    staticFiles: await loadSiteTemplates(join(root, 'templates', 'site')),
  });
  const entries = await readdir(postsDir, { withFileTypes: true, recursive: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(postsDir, join(entry.parentPath, entry.name)).split(sep).join('/'));
  await Promise.all(
    files.map(async (path) =>
      standIns.s3.send(
        new PutObjectCommand({
          Bucket: standIns.bucket,
          Key: POSTS_PREFIX + path,
          Body: await readFile(join(postsDir, path)),
        }),
      ),
    ),
  );
  await publisher.idle();
});

afterAll(async () => {
  await dev?.close();
  await standIns?.close();
});

describe('local run on content/', () => {
  it('publishes every sample post without an error, holding drafts, scheduled and expired posts', () => {
    // Assess
    const posts = publisher.results.filter((result) => result.kind === 'post');
    expect(publisher.failures).toEqual([]);
    expect(posts.flatMap((post) => post.problems.filter((p) => p.severity === 'error'))).toEqual([]);
    const statuses = new Set(posts.map((post) => post.status));
    expect(statuses).toEqual(new Set(['published', 'draft', 'scheduled', 'expired']));
  });

  it('writes feeds that the offline validator finds clean', async () => {
    // Act
    const rss = await fetchText('feed.xml');
    const atom = await fetchText('atom.xml');
    const json = await fetchText('feed.json');

    // Assess
    expect(validateRss(rss.body, { location: new URL('feed.xml', dev.url).href })).toEqual([]);
    expect(validateAtom(atom.body, { location: new URL('atom.xml', dev.url).href })).toEqual([]);
    expect(validateJsonFeed(json.body, { location: new URL('feed.json', dev.url).href })).toEqual([]);
    expect([rss.type, atom.type, json.type]).toEqual([
      'application/rss+xml; charset=utf-8',
      'application/atom+xml; charset=utf-8',
      'application/feed+json; charset=utf-8',
    ]);
  });

  it('carries the same published posts in every feed, each linking to a page that exists', async () => {
    // Prepare
    const published = publisher.results.filter((r) => r.kind === 'post' && r.status === 'published').length;

    // Act
    const rss = parseFeed((await fetchText('feed.xml')).body);
    const atom = parseFeed((await fetchText('atom.xml')).body);
    const json = JSON.parse((await fetchText('feed.json')).body) as {
      items: { id: string; url: string; title: string }[];
    };

    // Assess
    expect(rss.items).toHaveLength(published);
    expect(atom.items.map((item) => item.id)).toEqual(rss.items.map((item) => item.id));
    expect(json.items.map((item) => item.id)).toEqual(rss.items.map((item) => item.id));
    for (const item of json.items) {
      expect((await fetchText(item.url)).status, item.url).toBe(200);
    }
  });

  it('makes every link and image in the feed content absolute, and serves the images', async () => {
    // Act
    const json = JSON.parse((await fetchText('feed.json')).body) as { items: { content_html: string }[] };
    const urls = json.items.flatMap((item) =>
      [...item.content_html.matchAll(/<[a-z][^<>]*?\s(?:href|src)="([^"]+)"/g)].map((m) => m[1] ?? ''),
    );

    // Assess
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url, url).toMatch(/^(https?:|mailto:)/);
    const local = urls.filter((url) => url.startsWith(dev.url) && /\.(png|jpe?g|gif|webp)$/.test(url));
    expect(local.length).toBeGreaterThan(0);
    for (const url of local) expect((await fetch(url)).headers.get('content-type'), url).toMatch(/^image\//);
  });
});

describe.skipIf(skipBrowserTests)(skipBrowserTests ? SKIP_REASON : 'local run in a browser', () => {
  let browser: TestBrowser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('goes from the home page to a post whose images load, with feed autodiscovery on both', async () => {
    // Prepare
    const page = await browser.context.newPage();

    // Act
    await page.goto(dev.url);
    const homeFeeds = await page.locator('link[rel="alternate"]').count();
    await page.locator('main a[href*="/posts/offline-first/"]').first().click();
    await page.waitForLoadState('load');
    const images = await page.locator('main img').evaluateAll((nodes) =>
      nodes.map((node) => {
        const image = node as unknown as { src: string; naturalWidth: number };
        return { src: image.src, width: image.naturalWidth };
      }),
    );

    // Assess
    expect(homeFeeds).toBe(3);
    expect(page.url()).toBe(new URL('posts/offline-first/', dev.url).href);
    expect(await page.locator('link[rel="alternate"]').count()).toBe(3);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image.width, image.src).toBeGreaterThan(0);
    await page.close();
  });
});
