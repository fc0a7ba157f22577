import { describe, expect, it } from 'vitest';
import { addressFile, httpHeadersFor, siteUrl } from '../../../functions/core/paths.ts';
import {
  arrangeFeeds,
  renderSiteFeedFiles,
  renderTagFeedFiles,
  sectionOfFeed,
  siteFeedLayout,
  tagFeedFilePaths,
  tagFeedLayout,
} from '../../../functions/core/site/feed-paths.ts';
import { buildSiteFiles, tagFilePaths } from '../../../functions/core/site/public-files.ts';
import type { FeedFormat, PublicFile, SiteConfig } from '../../../functions/core/types.ts';
import { makePost, makeSite } from '../../support/feed-fixtures.ts';
import { validateAtom, validateJsonFeed, validateRss } from '../../support/feed-validator.ts';

const DEFAULTS = { rss: 'feed.xml', atom: 'atom.xml', json: 'feed.json' };

/** A site moved from Hugo (index.xml, tag and section feeds) that also had jekyll-feed's Atom feed.xml. */
const movedSite = (feedPaths: SiteConfig['feedPaths'] = {}): SiteConfig =>
  makeSite({
    feedPaths: {
      'index.xml': 'rss',
      'feed.xml': 'atom',
      'feed/': 'rss',
      'posts/index.xml': 'rss',
      'tags/:tag/index.xml': 'rss',
      ...feedPaths,
    },
  });

const VALIDATORS: Record<FeedFormat, (body: string, options: { location: string }) => string[]> = {
  rss: validateRss,
  atom: validateAtom,
  json: validateJsonFeed,
};

const TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};

/** The format a feed document is in, read from the document itself. */
const formatOf = (body: string): FeedFormat | 'unknown' =>
  body.startsWith('{') ? 'json' : body.includes('<rss ') ? 'rss' : body.includes('<feed ') ? 'atom' : 'unknown';

/** Each file's validator findings at the address it is served at (empty when clean). */
const findingsByPath = (files: PublicFile[], site: SiteConfig): Record<string, string[]> =>
  Object.fromEntries(
    files.map((file) => {
      const format = formatOf(String(file.body));
      const validate = format === 'unknown' ? () => ['not a feed'] : VALIDATORS[format];
      return [file.path, validate(String(file.body), { location: siteUrl(site, file.path) })];
    }),
  );

describe('arrangeFeeds', () => {
  it('keeps the three default files when nothing is configured', () => {
    // Act
    const layout = arrangeFeeds(DEFAULTS, []);

    // Assess
    expect(layout.files).toEqual([
      { path: 'feed.xml', format: 'rss' },
      { path: 'atom.xml', format: 'atom' },
      { path: 'feed.json', format: 'json' },
    ]);
    expect(layout.main).toEqual(DEFAULTS);
  });

  it('serves Atom at feed.xml when configured, and moves the displaced RSS feed to rss.xml', () => {
    // Act
    const layout = arrangeFeeds(DEFAULTS, [{ path: 'feed.xml', format: 'atom' }]);

    // Assess
    expect(layout.files).toEqual([
      { path: 'feed.xml', format: 'atom' },
      { path: 'atom.xml', format: 'atom' },
      { path: 'feed.json', format: 'json' },
      { path: 'rss.xml', format: 'rss' },
    ]);
    expect(layout.main).toEqual({ rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' });
  });

  it('announces the displaced RSS feed at the first configured RSS path instead of adding rss.xml', () => {
    // Act
    const layout = arrangeFeeds(DEFAULTS, [
      { path: 'feed.xml', format: 'atom' },
      { path: 'index.xml', format: 'rss' },
      { path: 'feed/index.html', format: 'rss' },
    ]);

    // Assess
    expect(layout.files.map((file) => file.path)).toEqual([
      'feed.xml',
      'atom.xml',
      'feed.json',
      'index.xml',
      'feed/index.html',
    ]);
    expect(layout.main.rss).toBe('index.xml');
  });

  it('falls back to feed.rss when rss.xml holds another format, and to feed.atom for a displaced Atom feed', () => {
    // Act
    const layout = arrangeFeeds(DEFAULTS, [
      { path: 'feed.xml', format: 'atom' },
      { path: 'rss.xml', format: 'atom' },
      { path: 'atom.xml', format: 'rss' },
    ]);

    // Assess
    expect(layout.main).toEqual({ rss: 'atom.xml', atom: 'feed.xml', json: 'feed.json' });
    const fallback = arrangeFeeds(DEFAULTS, [
      { path: 'feed.xml', format: 'atom' },
      { path: 'rss.xml', format: 'atom' },
    ]);
    expect(fallback.main.rss).toBe('feed.rss');
    expect(arrangeFeeds(DEFAULTS, [{ path: 'atom.xml', format: 'rss' }]).main.atom).toBe('feed.atom');
  });
});

describe('siteFeedLayout and tagFeedLayout', () => {
  it('serves a folder address from its index.html and keeps :tag paths out of the site feeds', () => {
    // Act
    const layout = siteFeedLayout(movedSite());

    // Assess
    expect(layout.files).toContainEqual({ path: 'feed/index.html', format: 'rss' });
    expect(layout.files).toContainEqual({ path: 'posts/index.xml', format: 'rss' });
    expect(layout.files.some((file) => file.path.includes('tag'))).toBe(false);
    expect(layout.main).toEqual({ rss: 'index.xml', atom: 'atom.xml', json: 'feed.json' });
  });

  it("writes a tag's Hugo feed in the tag's folder beside its own three", () => {
    // Act
    const layout = tagFeedLayout(movedSite(), 'rust');

    // Assess
    expect(layout.files).toEqual([
      { path: 'tags/rust/feed.xml', format: 'rss' },
      { path: 'tags/rust/atom.xml', format: 'atom' },
      { path: 'tags/rust/feed.json', format: 'json' },
      { path: 'tags/rust/index.xml', format: 'rss' },
    ]);
    expect(tagFilePaths('rust', movedSite())).toEqual([
      'tags/rust/index.html',
      'tags/rust/feed.xml',
      'tags/rust/atom.xml',
      'tags/rust/feed.json',
      'tags/rust/index.xml',
    ]);
  });
});

describe('feed files at configured paths', () => {
  it('writes every site feed in its format with its own address as self, each valid where it is served', () => {
    // Prepare
    const site = movedSite();
    const posts = [makePost({ title: 'Fish & chips < 5 € ]]>' })];

    // Act
    const files = renderSiteFeedFiles(posts, site, new Date('2024-11-20T00:00:00Z'));

    // Assess
    expect(files.map((file) => [file.path, formatOf(String(file.body)), file.contentType])).toEqual([
      ['feed.xml', 'atom', 'application/atom+xml; charset=utf-8'],
      ['atom.xml', 'atom', 'application/atom+xml; charset=utf-8'],
      ['feed.json', 'json', 'application/feed+json; charset=utf-8'],
      ['index.xml', 'rss', 'application/rss+xml; charset=utf-8'],
      ['feed/index.html', 'rss', 'application/rss+xml; charset=utf-8'],
      ['posts/index.xml', 'rss', 'application/rss+xml; charset=utf-8'],
    ]);
    expect(findingsByPath(files, site)).toEqual(Object.fromEntries(files.map((file) => [file.path, []])));
    const folderFeed = String(files.find((file) => file.path === 'feed/index.html')?.body);
    expect(folderFeed).toContain('<atom:link href="https://notes.example/feed/" rel="self"');
  });

  it("writes a tag's extra feed with the tag's title and its own address as self, valid where it is served", () => {
    // Prepare
    const site = movedSite();
    const group = { slug: 'intro', name: 'Intro', names: ['Intro'], entries: [] };

    // Act
    const files = renderTagFeedFiles(group, [makePost()], site, new Date('2024-11-20T00:00:00Z'));

    // Assess
    const hugo = files.find((file) => file.path === 'tags/intro/index.xml');
    expect(formatOf(String(hugo?.body))).toBe('rss');
    expect(String(hugo?.body)).toContain('<title>Field Notes: Intro</title>');
    expect(findingsByPath(files, site)).toEqual(Object.fromEntries(files.map((file) => [file.path, []])));
  });

  it('serves a file that names its own content type with it, short-lived like the other feeds', () => {
    // Act
    const headers = httpHeadersFor('feed/index.html', 'application/rss+xml; charset=utf-8');

    // Assess
    expect(headers).toEqual({
      contentType: 'application/rss+xml; charset=utf-8',
      cacheControl: httpHeadersFor('feed.xml').cacheControl,
    });
  });
});

describe('feed links in pages', () => {
  it('links every page only to feeds that exist, with the type they are served with', () => {
    // Prepare
    const site = movedSite();
    const posts = [makePost(), makePost({ id: 'tag:notes.example,2019:two', slug: 'two', title: 'Two' })];

    // Act
    const files = buildSiteFiles(posts, site, new Date('2024-11-20T00:00:00Z'));

    // Assess
    const byPath = new Map(files.map((file) => [file.path, file]));
    const pages = files.filter((file) => file.path.endsWith('.html') && !file.contentType);
    const links = pages.flatMap((page) =>
      [...String(page.body).matchAll(/<link rel="alternate" type="([^"]+)"[^>]* href="([^"]+)">/g)].map(
        ([, type, href]) => ({ type, file: addressFile(new URL(href ?? '').pathname) }),
      ),
    );
    expect(links.length).toBeGreaterThan(0);
    const wrong = links.filter(
      ({ type, file }) => !httpHeadersFor(file, byPath.get(file)?.contentType).contentType.startsWith(type ?? '?'),
    );
    const missing = links.filter(({ file }) => !byPath.has(file));
    expect({ wrong, missing }).toEqual({ wrong: [], missing: [] });
    const index = String(byPath.get('index.html')?.body);
    expect(index).toContain(`type="${TYPES.rss}" title="Field Notes (RSS)" href="https://notes.example/index.xml"`);
  });
});

describe('tag feeds at Hugo’s tag addresses', () => {
  it('writes `:tag` paths once per spelling of the tag, as Hugo names its folder', () => {
    // Prepare
    const site = { feedPaths: { 'tags/:tag/index.xml': 'rss' as const } };

    // Act
    const paths = tagFeedFilePaths(site, 'node-js', ['Node.js', 'node js', 'NODE.JS']);

    // Assess: Hugo 0.111.3 puts the tag `Node.js` in `tags/node.js/` (measured with the Debian binary).
    expect(paths).toEqual([
      'tags/node-js/feed.xml',
      'tags/node-js/atom.xml',
      'tags/node-js/feed.json',
      'tags/node.js/index.xml',
      'tags/node-js/index.xml',
    ]);
  });

  it('leaves out a spelling that would leave the tags folder', () => {
    // Act
    const paths = tagFeedFilePaths({ feedPaths: { 'tags/:tag/index.xml': 'rss' as const } }, 'x', ['../x', '..']);

    // Assess
    expect(paths.filter((path) => path.includes('..'))).toEqual([]);
  });
});

describe('sectionOfFeed', () => {
  it.each([
    ['posts/index.xml', 'posts'],
    ['blog/feed.json', 'blog'],
    ['index.xml', undefined],
    ['feed/', undefined],
    ['feed/index.html', undefined],
    ['tags/:tag/index.xml', undefined],
  ])('%s may be the feed of the section %s', (path, section) => {
    // Act, Assess
    expect(sectionOfFeed(path)).toBe(section);
  });
});
