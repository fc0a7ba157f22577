/**
 * What real reader libraries make of our feeds: a post must read the same whichever format a subscriber picked.
 * @rowanmanning/feed-parser reads RSS and Atom (not JSON Feed); rss-parser reads RSS and Atom; JSON Feed is read with
 * JSON.parse, the way JSON Feed readers do.
 */
import { parseFeed } from '@rowanmanning/feed-parser';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { buildFeeds } from '../../../functions/core/feeds/build-feeds.ts';
import type { PublishedPost } from '../../../functions/core/types.ts';
import { makePost, makeSite } from '../../support/feed-fixtures.ts';

const NOW = new Date('2030-01-01T00:00:00Z');

const makePosts = (): PublishedPost[] => [
  makePost({
    id: 'tag:notes.example,2024:edited',
    url: 'https://notes.example/posts/edited/',
    title: 'Edited </title>]]><script>x</script> & "quoted"',
    date: '2024-11-14T10:28:00+02:00',
    updated: '2024-11-15T09:00:00Z',
    html: '<p>Body with <a href="https://notes.example/x?a=1&b=2">a link</a></p>',
    tags: ['aws', 'a<b'],
    categories: ['Essays'],
    authors: [{ name: 'Ada Example' }, { name: 'Grace O"Brien' }],
  }),
  makePost({
    id: 'https://notes.example/posts/permalink/',
    url: 'https://notes.example/posts/permalink/',
    title: 'Second',
    date: '2024-11-01T08:00:00Z',
    summary: 'Two',
    html: '<p>Two</p>',
    tags: [],
    categories: [],
  }),
];

interface ReadItem {
  id: string | null | undefined;
  title: string | null | undefined;
  url: string | null | undefined;
  published: string | undefined;
  summary: string | null | undefined;
  categories: string[];
  authors: (string | null)[];
}

type JsonItem = {
  id: string;
  title: string;
  url: string;
  date_published: string;
  date_modified: string;
  summary?: string;
  content_html: string;
  tags?: string[];
  authors?: { name: string }[];
};

const jsonItems = (json: string): JsonItem[] => JSON.parse(json).items;

describe('@rowanmanning/feed-parser', () => {
  it('reads the same feed title, link, language and update time from RSS and Atom', () => {
    // Prepare
    const { rss, atom } = buildFeeds(makePosts(), makeSite(), NOW);

    // Act
    const fromRss = parseFeed(rss);
    const fromAtom = parseFeed(atom);

    // Assess
    const describeFeed = (feed: ReturnType<typeof parseFeed>) => ({
      title: feed.title,
      url: feed.url,
      language: feed.language,
      updated: feed.updated?.toISOString(),
    });
    expect(describeFeed(fromRss)).toEqual({
      title: 'Field Notes',
      url: 'https://notes.example/',
      language: 'en-GB',
      updated: '2024-11-15T09:00:00.000Z',
    });
    expect(describeFeed(fromAtom)).toEqual(describeFeed(fromRss));
    expect([fromRss.self, fromAtom.self]).toEqual(['https://notes.example/feed.xml', 'https://notes.example/atom.xml']);
  });

  it('reads the same items from RSS and Atom as JSON Feed carries', () => {
    // Prepare
    const { rss, atom, json } = buildFeeds(makePosts(), makeSite(), NOW);

    // Act
    const read = (xml: string): ReadItem[] =>
      parseFeed(xml).items.map((item) => ({
        id: item.id,
        title: item.title,
        url: item.url,
        published: item.published?.toISOString(),
        summary: item.description,
        categories: item.categories.map((category) => category.term),
        authors: item.authors.map((author) => author.name),
      }));
    const fromJson: ReadItem[] = jsonItems(json).map((item) => ({
      id: item.id,
      title: item.title,
      url: item.url,
      published: new Date(item.date_published).toISOString(),
      summary: item.summary,
      categories: item.tags ?? [],
      authors: (item.authors ?? []).map((author) => author.name),
    }));

    // Assess
    expect(read(rss)).toEqual(fromJson);
    expect(read(atom)).toEqual(fromJson);
    expect(fromJson[0]).toMatchObject({
      title: 'Edited </title>]]><script>x</script> & "quoted"',
      published: '2024-11-14T08:28:00.000Z',
      categories: ['aws', 'a<b', 'Essays'],
    });
  });

  it('reads the same content from RSS and Atom', () => {
    // Prepare
    const { rss, atom } = buildFeeds(makePosts(), makeSite(), NOW);

    // Act
    const contents = [rss, atom].map((xml) => parseFeed(xml).items.map((item) => item.content));

    // Assess
    expect(contents[1]).toEqual(contents[0]);
    expect(contents[0]?.[1]).toBe('<p>Two</p>');
  });

  it('reads the edit time from Atom as JSON Feed carries it', () => {
    // Prepare
    const { atom, json } = buildFeeds(makePosts(), makeSite(), NOW);

    // Act
    const fromAtom = parseFeed(atom).items.map((item) => item.updated?.toISOString());

    // Assess
    expect(fromAtom).toEqual(jsonItems(json).map((item) => new Date(item.date_modified).toISOString()));
    expect(fromAtom).toEqual(['2024-11-15T09:00:00.000Z', '2024-11-01T08:00:00.000Z']);
  });
});

describe('rss-parser', () => {
  it('reads the same items from RSS and Atom as JSON Feed carries', async () => {
    // Prepare
    const { rss, atom, json } = buildFeeds(makePosts(), makeSite(), NOW);
    const parser = new Parser();

    // Act
    const fromRss = await parser.parseString(rss);
    const fromAtom = await parser.parseString(atom);

    // Assess
    const expected = jsonItems(json).map((item) => ({
      id: item.id,
      title: item.title,
      link: item.url,
      isoDate: new Date(item.date_published).toISOString(),
      content: item.content_html,
    }));
    expect(
      fromRss.items.map((item) => ({
        id: item.guid,
        title: item.title,
        link: item.link,
        isoDate: item.isoDate,
        content: item['content:encoded'],
      })),
    ).toEqual(expected);
    expect(
      fromAtom.items.map((item) => ({
        id: item.id,
        title: item.title,
        link: item.link,
        isoDate: item.isoDate,
        content: item.content,
      })),
    ).toEqual(expected);
  });

  it('reads the categories and self link of the RSS feed', async () => {
    // Prepare
    const { rss, json } = buildFeeds(makePosts(), makeSite(), NOW);

    // Act
    const feed = await new Parser().parseString(rss);

    // Assess
    expect({
      feedUrl: feed.feedUrl,
      categories: feed.items.map((item) => item.categories ?? []),
    }).toEqual({
      feedUrl: 'https://notes.example/feed.xml',
      categories: jsonItems(json).map((item) => item.tags ?? []),
    });
  });
});
