/*
 * `npm run cli -- migrate-check` on hand-made folders: an old RSS feed (Hugo-like, index.xml) and an old Atom feed
 * (Jekyll-like, feed.xml), and a new build folder with pages, an alias page and feed files. The URL case runs against
 * a real local HTTP server.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliIn } from '../support/run-cli.ts';

const BASE = 'https://heron.example/';

let work: string;

const run = (args: string[]) => runCliIn(work, args);

const put = async (path: string, body: string) => {
  await mkdir(dirname(join(work, path)), { recursive: true });
  await writeFile(join(work, path), body);
};

interface Post {
  slug: string;
  title: string;
  date: string;
  id?: string;
}

const POSTS: Post[] = [
  { slug: '2024/reeds', title: 'Reeds &amp; rushes', date: '2024-04-03T07:00:00Z' },
  { slug: '2024/mudflat', title: 'Mudflat at dawn', date: '2024-03-02T07:00:00Z' },
  { slug: '2023/wader', title: 'A wader', date: '2023-01-01T07:00:00Z' },
];

const rssItem = (post: Post) =>
  `<item><title>${post.title}</title><link>${BASE}${post.slug}/</link><guid>${post.id ?? `${BASE}${post.slug}/`}</guid>` +
  `<pubDate>${new Date(post.date).toUTCString()}</pubDate></item>`;

const rssFeed = (posts: Post[], self = 'index.xml') =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>` +
  `<title>Heron Log</title><link>${BASE}</link><atom:link href="${BASE}${self}" rel="self" type="application/rss+xml"/>` +
  `${posts.map(rssItem).join('')}</channel></rss>`;

const atomFeed = (posts: Post[]) =>
  `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Heron Log</title>` +
  `<link href="${BASE}feed.xml" rel="self" type="application/atom+xml"/><link href="${BASE}" rel="alternate"/>` +
  `<id>${BASE}feed.xml</id><updated>2024-04-03T07:00:00Z</updated>` +
  posts
    .map(
      (post) =>
        `<entry><title type="html">${post.title}</title><link href="${BASE}${post.slug}.html" rel="alternate"/>` +
        `<id>${post.id ?? `${BASE}${post.slug}`}</id><published>${post.date}</published></entry>`,
    )
    .join('') +
  '</feed>';

const alias = (target: string) =>
  `<!DOCTYPE html><html><head><title>${target}</title><link rel="canonical" href="${target}">` +
  `<meta charset="utf-8"><meta http-equiv="refresh" content="0; url=${target}"></head></html>`;

/** A build whose feeds hold the two newest posts: the third is older than their oldest item. */
const writeNewSite = async (feedPosts: Post[] = POSTS.slice(0, 2)) => {
  await put('site/index.xml', rssFeed(feedPosts));
  await put('site/feed.xml', rssFeed(feedPosts, 'feed.xml'));
  await put('site/sitemap.xml', '<?xml version="1.0"?><urlset></urlset>');
  await put('site/manifest.json', '{"name":"Heron Log"}');
  for (const post of POSTS)
    await put(`site/${post.slug}/index.html`, `<html><head><title>${post.title}</title></head></html>`);
};

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'feedmail-migrate-'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('cli migrate-check', () => {
  it('passes a build that keeps every id and address, and explains the item outside the feed window', async () => {
    // Prepare
    await put('old/index.xml', rssFeed(POSTS));
    await writeNewSite();

    // Act
    const result = await run(['migrate-check', 'old/index.xml', 'site']);

    // Assess
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('ids looked for in index.xml');
    expect(result.out).toContain('old feed address /index.xml: index.xml (RSS)');
    expect(result.out).toContain('not in the new feed (older than its oldest item, 2024-03-02)');
    expect(result.out).toContain('ok    2024-04-03  Reeds & rushes');
    expect(result.out.split('\n').at(-1)).toBe(
      "migrate-check: 2/2 ids kept (1 older than the new feed's oldest item), 3/3 addresses resolve, 2/2 titles same (1 not in the new feeds)",
    );
  });

  it('fails a lost id and a dead address, and prints JSON for machines', async () => {
    // Prepare
    await put('old/index.xml', rssFeed(POSTS));
    const changed = POSTS.slice(0, 2).map((post, i) =>
      i === 1 ? { ...post, id: 'urn:new-id', title: 'Mudflat' } : post,
    );
    await writeNewSite(changed);
    await rm(join(work, 'site/2023/wader'), { recursive: true });

    // Act
    const result = await run(['migrate-check', 'old/index.xml', 'site', '--json']);

    // Assess
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as {
      items: { title: string; verdict: string; idCheck: { status: string }; address: { status: string } }[];
      summary: { ok: boolean; ids: { lost: number }; addresses: { fail: number }; titles: { changed: number } };
    };
    expect(report.items.map((i) => [i.verdict, i.idCheck.status, i.address.status])).toEqual([
      ['ok', 'kept', 'resolves'],
      ['fail', 'lost', 'resolves'],
      ['fail', 'outside-window', 'dead'],
    ]);
    expect(report.summary).toMatchObject({
      ok: false,
      ids: { lost: 1 },
      addresses: { fail: 1 },
      titles: { changed: 1 },
    });
  });

  it('follows alias pages from a moved Jekyll site, whose Atom feed.xml keeps its name', async () => {
    // Prepare
    await put('old/feed.xml', atomFeed(POSTS.slice(0, 2)));
    await put('site/feed.xml', atomFeed(POSTS.slice(0, 2)));
    await put('site/atom.xml', atomFeed(POSTS.slice(0, 2).map((post) => ({ ...post, id: `urn:x:${post.slug}` }))));
    for (const post of POSTS.slice(0, 2)) {
      await put(`site/${post.slug}/index.html`, '<html><head><title>page</title></head></html>');
      await put(`site/${post.slug}.html`, alias(`${BASE}${post.slug}/`));
    }

    // Act
    const result = await run(['migrate-check', 'old/feed.xml', 'site']);

    // Assess
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('/2024/reeds.html -> 2024/reeds/index.html via 2024/reeds.html');
    expect(result.out).toContain('ids looked for in feed.xml (it is at the old feed');
    expect(result.out).toContain('2/2 ids kept, 2/2 addresses resolve, 2/2 titles same');
  });

  it('reads an old jekyll-feed Atom feed with a bare & in an href, and warns that it is not well-formed', async () => {
    // Prepare: jekyll-feed writes a post address holding `&` unescaped.
    const posts = POSTS.slice(0, 2);
    await put('old/feed.xml', atomFeed(posts).replace(`${BASE}2024/reeds.html`, `${BASE}2024/reeds&rushes.html`));
    await put('site/feed.xml', atomFeed(posts));
    for (const post of posts) await put(`site/${post.slug}.html`, '<html><head><title>page</title></head></html>');
    await put('site/2024/reeds&rushes.html', alias(`${BASE}2024/reeds.html`));

    // Act
    const result = await run(['migrate-check', 'old/feed.xml', 'site']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.err).toContain('warning: old/feed.xml is not well-formed XML (1 bare "&"');
    expect(result.out).toContain('2/2 ids kept, 2/2 addresses resolve');
  });

  it('reads the old feed from a URL, and names the URL when it cannot', async () => {
    // Prepare
    await writeNewSite();
    const server: Server = createServer((request, response) => {
      if (request.url === '/index.xml') {
        response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssFeed(POSTS));
      } else {
        response.writeHead(404).end('not here');
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    try {
      // Act
      const found = await run(['migrate-check', `${root}/index.xml`, 'site', '--old-base', BASE]);
      const missing = await run(['migrate-check', `${root}/gone.xml`, 'site']);

      // Assess
      expect(found.code).toBe(0);
      expect(found.out).toContain("2/2 ids kept (1 older than the new feed's oldest item), 3/3 addresses resolve");
      expect(missing).toMatchObject({ code: 2, out: '' });
      expect(missing.err).toContain(`cannot fetch ${root}/gone.xml: it answers 404`);
    } finally {
      server.close();
    }
  });

  it.each([
    [['migrate-check'], 'migrate-check needs the old feed'],
    [['migrate-check', 'old/none.xml', 'site'], 'cannot read the old feed old/none.xml'],
    [['migrate-check', 'site/sitemap.xml', 'site'], 'site/sitemap.xml is not a feed: its root element is <urlset>'],
    [['migrate-check', 'site/index.xml', 'nowhere'], 'cannot read the new build nowhere'],
    [['migrate-check', 'site/index.xml', 'site', '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 for %j, saying what is wrong', async (args, message) => {
    // Prepare
    await writeNewSite();

    // Act
    const result = await run(args);

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('exits 2 when the new folder holds no feed', async () => {
    // Prepare
    await put('old/index.xml', rssFeed(POSTS));
    await put('empty/index.html', '<html></html>');

    // Act
    const result = await run(['migrate-check', 'old/index.xml', 'empty']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toContain('empty has no feed at its top');
  });
});
