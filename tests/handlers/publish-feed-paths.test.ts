import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { s3Event } from '../support/events.ts';
import { validateAtom, validateRss } from '../support/feed-validator.ts';
import { type Harness, postText, startHarness, testSite } from '../support/publisher-harness.ts';

/*
 * A blog moved from Hugo or Jekyll keeps its old feed addresses (feedPaths): the publisher writes them with the site's
 * feeds and the tag's files, each with its format's media type, and deletes a tag's with the tag.
 */

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness(
    testSite({ feedPaths: { 'feed.xml': 'atom', 'index.xml': 'rss', 'feed/': 'rss', 'tags/:tag/index.xml': 'rss' } }),
  );
});

afterEach(async () => {
  await harness.close();
});

const publish = async (path: string, text: string) => {
  await harness.upload(path, text);
  return harness.handler()(s3Event('created', `posts/${path}`));
};

describe('publishing with feedPaths', () => {
  it('writes the site feeds at their old addresses, each in its format and media type, valid where served', async () => {
    // Act
    await publish('a.md', postText({ title: 'Moved', extra: 'tags: [Rust]' }));

    // Assess
    const atom = await harness.readObject('site/feed.xml');
    const rss = await harness.readObject('site/index.xml');
    const folder = await harness.readObject('site/feed/index.html');
    const fallback = await harness.readObject('site/rss.xml');
    expect([atom, rss, folder, fallback].map((object) => object?.contentType)).toEqual([
      'application/atom+xml; charset=utf-8',
      'application/rss+xml; charset=utf-8',
      'application/rss+xml; charset=utf-8',
      undefined,
    ]);
    expect(folder?.cacheControl).toMatch(/max-age=300/);
    expect(validateAtom(atom?.body ?? '', { location: 'https://notes.example/feed.xml' })).toEqual([]);
    expect(validateRss(rss?.body ?? '', { location: 'https://notes.example/index.xml' })).toEqual([]);
    expect(validateRss(folder?.body ?? '', { location: 'https://notes.example/feed/' })).toEqual([]);
    expect(await harness.readPublic('index.html')).toContain('href="https://notes.example/index.xml"');
  });

  it("writes a tag's Hugo feed with the tag's files, and deletes it with them once no post has the tag", async () => {
    // Prepare
    await publish('a.md', postText({ title: 'Moved', extra: 'tags: [Rust]' }));
    const tagFeed = await harness.readObject('site/tags/rust/index.xml');

    // Act
    await publish('a.md', postText({ title: 'Moved', extra: 'tags: [Go]' }));

    // Assess
    expect(tagFeed?.contentType).toBe('application/rss+xml; charset=utf-8');
    expect(validateRss(tagFeed?.body ?? '', { location: 'https://notes.example/tags/rust/index.xml' })).toEqual([]);
    expect(await harness.readPublic('tags/rust/index.xml')).toBeUndefined();
    expect(await harness.readPublic('tags/rust/index.html')).toBeUndefined();
    expect(await harness.readPublic('tags/go/index.xml')).toContain('<title>Harness Notes: Go</title>');
  });
});

describe('publishing a Hugo section feed', () => {
  it('gives a section’s feed only the posts of its folder, and the site’s feeds every post', async () => {
    // Prepare
    await harness.close();
    harness = await startHarness(testSite({ feedPaths: { 'index.xml': 'rss', 'blog/index.xml': 'rss' } }));

    // Act
    await publish('blog/kites.md', postText({ title: 'Kites', slug: 'kites', date: '2024-11-14T09:30:00Z' }));
    await publish('notes/tides.md', postText({ title: 'Tides', slug: 'tides', date: '2024-11-15T09:30:00Z' }));

    // Assess
    const section = (await harness.readPublic('blog/index.xml')) ?? '';
    const site = (await harness.readPublic('index.xml')) ?? '';
    expect([...section.matchAll(/<item>\s*<title>([^<]*)/g)].map((match) => match[1])).toEqual(['Kites']);
    expect([...site.matchAll(/<item>\s*<title>([^<]*)/g)].map((match) => match[1])).toEqual(['Tides', 'Kites']);
    expect(validateRss(section, { location: 'https://notes.example/blog/index.xml' })).toEqual([]);
  });
});
