/**
 * Measurements of feed 6.0.0 that decided why functions/core/feeds/*.ts write the documents themselves. If an upgrade
 * makes one of these fail, the library fixed it: reconsider the decision noted in that writer's comment.
 * They also correct two lines of shared/FINDINGS.md: 6.0.0 does write isPermaLink="false", and `hub` no longer
 * replaces the RSS self link.
 */
import { Feed } from 'feed';
import { describe, expect, it } from 'vitest';
import { readXml } from '../../support/feed-fixtures.ts';

const makeFeed = (title = 'Notes'): Feed =>
  new Feed({
    title,
    id: 'https://notes.example/',
    link: 'https://notes.example/',
    updated: new Date('2024-11-14T09:00:00Z'),
    feedLinks: { rss: 'https://notes.example/feed.xml', atom: 'https://notes.example/atom.xml' },
  });

const addItem = (feed: Feed, overrides: Partial<Parameters<Feed['addItem']>[0]> = {}): void =>
  feed.addItem({
    title: 'Hello',
    id: 'https://notes.example/posts/hello/',
    link: 'https://notes.example/posts/hello/',
    date: new Date('2024-11-14T09:00:00Z'),
    content: '<p>Body</p>',
    ...overrides,
  });

describe('feed 6.0.0', () => {
  it('reads a literal &amp; in the RSS channel title back as &', () => {
    // Prepare
    const feed = makeFeed('Tom &amp; Jerry');

    // Act
    const rss = feed.rss2();

    // Assess
    expect(readXml(rss, (q) => q('/rss/channel/title'))).toEqual(['Tom & Jerry']);
  });

  it('writes control characters into XML that a strict parser rejects', () => {
    // Prepare
    const feed = makeFeed('Bell\u0007');

    // Act
    const rss = feed.rss2();

    // Assess
    expect(() => readXml(rss, (q) => q('/rss'))).toThrow(/invalid Char/i);
  });

  it('writes < unescaped into an Atom category attribute', () => {
    // Prepare
    const feed = makeFeed();
    addItem(feed, { category: [{ term: 'a<b' }] });

    // Act
    const atom = feed.atom1();

    // Assess
    expect(() => readXml(atom, (q) => q('/'))).toThrow(/Unescaped '<'/);
  });

  it('marks Atom entry titles as html and rejects ids that are not URLs', () => {
    // Prepare
    const feed = makeFeed();
    addItem(feed, { title: 'a <b> c' });
    const withSlugId = makeFeed();
    addItem(withSlugId, { id: 'hello' });

    // Act
    const atom = feed.atom1();

    // Assess
    expect(readXml(atom, (q) => q('//a:entry/a:title/@type'))).toEqual(['html']);
    expect(() => withSlugId.atom1()).toThrow(TypeError);
  });

  it('names a person in RSS author, where an email belongs', () => {
    // Prepare
    const feed = makeFeed();
    addItem(feed, { author: [{ name: 'Ada Example' }] });

    // Act
    const rss = feed.rss2();

    // Assess
    expect(readXml(rss, (q) => q('//item/author'))).toEqual(['Ada Example']);
  });

  it('writes JSON Feed 1.0', () => {
    // Prepare
    const feed = makeFeed();

    // Act
    const json = JSON.parse(feed.json1());

    // Assess
    expect(json.version).toBe('https://jsonfeed.org/version/1');
  });

  it('keeps the self link next to a hub and marks non-URL guids isPermaLink="false"', () => {
    // Prepare
    const feed = new Feed({ ...makeFeed().options, hub: 'https://hub.example/' });
    addItem(feed, { id: 'tag:notes.example,2024:hello' });

    // Act
    const rss = feed.rss2();

    // Assess
    expect(
      readXml(rss, (q) => ({ rels: q('/rss/channel/atom:link/@rel'), isPermaLink: q('//item/guid/@isPermaLink') })),
    ).toEqual({ rels: ['self', 'hub'], isPermaLink: ['false'] });
  });
});
