import { parseFeed } from '@rowanmanning/feed-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContentStore } from '../../functions/app/ports.ts';
import { s3Event } from '../support/events.ts';
import { validateAtom, validateRss } from '../support/feed-validator.ts';
import { type Harness, postText, startHarness } from '../support/publisher-harness.ts';

/*
 * What one publish reaches beyond its own page, through the real handler and the S3 and DynamoDB stand-ins:
 * the previous/next links of its neighbours, the pages and feeds of its tags, the archive's titles and the
 * sitemaps. Each is derived from the archive entries the publisher keeps with every month.
 */

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  await harness.close();
});

const publish = async (path: string, text: string) => {
  await harness.upload(path, text);
  return harness.handler()(s3Event('created', `posts/${path}`));
};

const remove = async (path: string) => {
  await harness.remove(path);
  return harness.handler()(s3Event('removed', `posts/${path}`));
};

const links = (page: string | undefined, rel: 'prev' | 'next'): string[] =>
  [
    ...(page ?? '').matchAll(
      new RegExp(`<a rel="${rel}" href="([^"]+)"><span class="label">[^<]*</span> ([^<]*)</a>`, 'g'),
    ),
  ].map((match) => `${match[1]} ${match[2]}`);

describe('links a publish reaches', () => {
  it('links each post to its newer and older neighbour, and relinks the neighbours when a post comes between them', async () => {
    // Prepare
    await publish('a.md', postText({ title: 'First', date: '2024-10-01T09:00:00Z' }));
    await publish('c.md', postText({ title: 'Third', date: '2024-12-01T09:00:00Z' }));

    // Act
    await publish('b.md', postText({ title: 'Second', date: '2024-11-01T09:00:00Z' }));

    // Assess
    const first = await harness.readPublic('posts/a/index.html');
    const second = await harness.readPublic('posts/b/index.html');
    const third = await harness.readPublic('posts/c/index.html');
    expect(links(first, 'prev')).toEqual(['https://notes.example/posts/b/ Second']);
    expect(links(first, 'next')).toEqual([]);
    expect(links(second, 'prev')).toEqual(['https://notes.example/posts/c/ Third']);
    expect(links(second, 'next')).toEqual(['https://notes.example/posts/a/ First']);
    expect(links(third, 'next')).toEqual(['https://notes.example/posts/b/ Second']);
  });

  it('closes the gap when a post between two others is deleted', async () => {
    // Prepare
    await publish('a.md', postText({ title: 'First', date: '2024-10-01T09:00:00Z' }));
    await publish('b.md', postText({ title: 'Second', date: '2024-11-01T09:00:00Z' }));
    await publish('c.md', postText({ title: 'Third', date: '2024-12-01T09:00:00Z' }));

    // Act
    await remove('b.md');

    // Assess
    expect(links(await harness.readPublic('posts/a/index.html'), 'prev')).toEqual([
      'https://notes.example/posts/c/ Third',
    ]);
    expect(links(await harness.readPublic('posts/c/index.html'), 'next')).toEqual([
      'https://notes.example/posts/a/ First',
    ]);
  });

  it('renames the link on a neighbour when a post is retitled', async () => {
    // Prepare
    await publish('a.md', postText({ title: 'First', date: '2024-10-01T09:00:00Z' }));
    await publish('b.md', postText({ title: 'Second', date: '2024-11-01T09:00:00Z' }));

    // Act
    await publish('b.md', postText({ title: 'Second, retitled', date: '2024-11-01T09:00:00Z' }));

    // Assess
    expect(links(await harness.readPublic('posts/a/index.html'), 'prev')).toEqual([
      'https://notes.example/posts/b/ Second, retitled',
    ]);
  });

  it('gives each tag a page and valid feeds, and removes them when the last post loses the tag', async () => {
    // Prepare
    await publish('a.md', postText({ title: 'Garden notes', slug: 'a', extra: 'tags: [Gardening, Rust]' }));
    await publish(
      'b.md',
      postText({ title: 'Compiler notes', slug: 'b', date: '2024-11-15T09:00:00Z', extra: 'tags: [Rust]' }),
    );

    // Act
    const before = await harness.readPublic('tags/gardening/index.html');
    await publish('a.md', postText({ title: 'Garden notes', slug: 'a', extra: 'tags: [Rust]' }));

    // Assess
    expect(before).toContain('Garden notes');
    expect(await harness.readPublic('tags/gardening/index.html')).toBeUndefined();
    expect(await harness.readPublic('tags/gardening/feed.xml')).toBeUndefined();
    const rust = await harness.readPublic('tags/rust/index.html');
    expect(rust).toContain('Garden notes');
    expect(rust).toContain('Compiler notes');
    const rss = (await harness.readPublic('tags/rust/feed.xml')) ?? '';
    const atom = (await harness.readPublic('tags/rust/atom.xml')) ?? '';
    expect(validateRss(rss, { location: 'https://notes.example/tags/rust/feed.xml' })).toEqual([]);
    expect(validateAtom(atom, { location: 'https://notes.example/tags/rust/atom.xml' })).toEqual([]);
    expect(parseFeed(rss).items.map((item) => item.title)).toEqual(['Compiler notes', 'Garden notes']);
    expect(parseFeed(rss).title).toBe('Harness Notes: Rust');
    const post = await harness.readPublic('posts/a/index.html');
    expect(post).toContain('<a href="https://notes.example/tags/rust/" rel="tag">Rust</a>');
  });

  it('lists every title under its month in the archive, and every post in the sitemap of its month', async () => {
    // Prepare
    await publish('a.md', postText({ title: 'October post', date: '2024-10-01T09:00:00Z' }));

    // Act
    await publish('b.md', postText({ title: 'November post', date: '2024-11-01T09:00:00Z' }));

    // Assess
    const archive = (await harness.readPublic('archive/index.html')) ?? '';
    expect(archive).toMatch(/November[\s\S]*November post[\s\S]*October[\s\S]*October post/);
    const index = (await harness.readPublic('sitemap.xml')) ?? '';
    expect([...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1])).toEqual([
      'https://notes.example/sitemaps/pages.xml',
      'https://notes.example/sitemaps/2024-11.xml',
      'https://notes.example/sitemaps/2024-10.xml',
    ]);
    const november = (await harness.readPublic('sitemaps/2024-11.xml')) ?? '';
    expect(november).toContain('<loc>https://notes.example/posts/b/</loc>');
    expect(november).toContain('<lastmod>2024-11-01T09:00:00.000Z</lastmod>');
    expect((await harness.readObject('site/sitemap.xml'))?.contentType).toMatch(/^application\/xml/);
    expect(await harness.readPublic('robots.txt')).toContain('Sitemap: https://notes.example/sitemap.xml');
    expect(await harness.readPublic('404.html')).toContain('Page not found');
  });

  it('relinks the neighbour and renders the tag on retry when the invocation crashed before reaching them', async () => {
    // Prepare: a fault no stand-in can produce, so the content store is wrapped to fail once at the neighbour's page.
    await publish('a.md', postText({ title: 'First', date: '2024-10-01T09:00:00Z' }));
    await harness.upload('b.md', postText({ title: 'Second', date: '2024-11-01T09:00:00Z', extra: 'tags: [Late]' }));
    let failed = false;
    const flaky: ContentStore = {
      ...harness.content,
      writePublic: async (file) => {
        if (!failed && (file.path === 'posts/a/index.html' || file.path.startsWith('tags/'))) {
          failed = true;
          throw new Error(`simulated crash while writing ${file.path}`);
        }
        await harness.content.writePublic(file);
      },
    };

    // Act: the first attempt dies after its own page, before the neighbour's; Lambda retries the event.
    await expect(harness.handler({ content: flaky, leaseMs: 300 })(s3Event('created', 'posts/b.md'))).rejects.toThrow();
    await harness.handler({ leaseMs: 300 })(s3Event('created', 'posts/b.md'));

    // Assess
    expect(failed).toBe(true);
    expect(links(await harness.readPublic('posts/a/index.html'), 'prev')).toEqual([
      'https://notes.example/posts/b/ Second',
    ]);
    expect(await harness.readPublic('tags/late/index.html')).toContain('Second');
    expect(await harness.index.dirtyMarks.listDirty()).toEqual([]);
  });
});
