import { fileURLToPath } from 'node:url';
import { parseFeed } from '@rowanmanning/feed-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPublisher } from '../../functions/local/local-publisher.ts';
import { type LocalSite, startLocalSite } from '../../functions/local/local-site.ts';
import { launchBrowser, SKIP_REASON, skipBrowserTests, type TestBrowser } from '../support/browser.ts';
import { validateAtom, validateJsonFeed, validateRss } from '../support/feed-validator.ts';

/*
 * End to end, as `npm start` runs it: content/posts uploaded to the S3 stand-in, the bucket's own events driving the
 * real handler, the site served from the bucket. Then the feeds are validated and read back, and the pages opened.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

let local: LocalSite;
let publisher: LocalPublisher;

const fetchText = async (path: string) => {
  const response = await fetch(new URL(path, local.url));
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
};

beforeAll(async () => {
  local = await startLocalSite({ root, port: 0 });
  publisher = local.publisher;
  await local.publishAll();
});

afterAll(async () => {
  await local?.close();
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
    expect(validateRss(rss.body, { location: new URL('feed.xml', local.url).href })).toEqual([]);
    expect(validateAtom(atom.body, { location: new URL('atom.xml', local.url).href })).toEqual([]);
    expect(validateJsonFeed(json.body, { location: new URL('feed.json', local.url).href })).toEqual([]);
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
    const ownImages = urls.filter((url) => url.startsWith(local.url) && /\.(png|jpe?g|gif|webp)$/.test(url));
    expect(ownImages.length).toBeGreaterThan(0);
    for (const url of ownImages) expect((await fetch(url)).headers.get('content-type'), url).toMatch(/^image\//);
  });
});

// Skipped only on a developer machine without Debian's chromium (the reason is the suite's name then);
// CI installs chromium and sets CI, and there a missing browser fails instead of skipping.
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
    await page.goto(local.url);
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
    expect(page.url()).toBe(new URL('posts/offline-first/', local.url).href);
    expect(await page.locator('link[rel="alternate"]').count()).toBe(3);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image.width, image.src).toBeGreaterThan(0);
    await page.close();
  });
});
