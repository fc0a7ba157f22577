/**
 * Where the feeds are served: the default files (`feed.xml` RSS, `atom.xml`, `feed.json`, and the same names in each
 * tag's folder) plus the addresses `feedPaths` adds, so that a blog moved from Hugo or Jekyll keeps its old feed
 * addresses in the format they had. A configured path wins over a default name: `"feed.xml": "atom"` makes
 * `feed.xml` Atom (jekyll-feed's), and the RSS feed it displaces is then announced at a configured RSS path, or else
 * at `rss.xml`. Every file names its own address as self.
 */

import { buildFeedDocuments, type FeedScope } from '../feeds/build-feeds.ts';
import { SITE_FILES, tagFeedPaths, tagPagePath } from '../paths.ts';
import { hugoPathOf } from '../posts/post-address.ts';
import type { FeedFormat, PublicFile, PublishedPost, SiteConfig } from '../types.ts';
import type { TagGroup } from './archive-entries.ts';

/** One feed document: the file that answers at its address, and the format it holds. */
export interface FeedFile {
  path: string;
  format: FeedFormat;
}

/** The feeds of the site, or of one tag. */
export interface FeedLayout {
  /** Every feed file to write, the defaults first. */
  files: FeedFile[];
  /** The file each format is announced at: page autodiscovery, the subscribe page, a tag page's links. */
  main: Record<FeedFormat, string>;
}

/**
 * In a `feedPaths` key, the tag as Hugo writes it in addresses (`tags/:tag/index.xml` is Hugo's tag feed; `Node.js`
 * is `node.js`, where this site's own tag folder is `node-js`), once for each spelling of the tag.
 */
export const TAG_PLACEHOLDER = ':tag';

/** The media type each format is served with, whatever its file is called. */
export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

const FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];

/**
 * The file that answers at a feed address: a folder address is its `index.html`, which the edge and the dev server
 * serve for `/feed/` (the file then carries the feed's content type).
 * @example feedFileOf('feed/') // 'feed/index.html'
 */
export const feedFileOf = (address: string): string => (address.endsWith('/') ? `${address}index.html` : address);

/**
 * Lays out a set of feeds: the defaults, overridden and extended by the configured files. A format whose default
 * file now holds another format is announced at its first configured file, or else at a fallback beside the default
 * (`rss.xml`, then `feed.rss`; `feed.atom`). Validated `feedPaths` never give `.rss`, `.atom` or `.json` names another
 * format, so the last fallback is always free.
 * @example arrangeFeeds({ rss: 'feed.xml', atom: 'atom.xml', json: 'feed.json' }, [{ path: 'feed.xml', format: 'atom' }]).main.rss // 'rss.xml'
 */
export const arrangeFeeds = (defaults: Record<FeedFormat, string>, configured: readonly FeedFile[]): FeedLayout => {
  const formatAt = new Map<string, FeedFormat>(FORMATS.map((format) => [defaults[format], format]));
  for (const file of configured) formatAt.set(file.path, file.format);
  const folder = defaults.rss.slice(0, defaults.rss.lastIndexOf('/') + 1);
  const fallbacks: Record<FeedFormat, string[]> = {
    rss: [`${folder}rss.xml`, `${folder}feed.rss`],
    atom: [`${folder}feed.atom`],
    json: [`${folder}feed.json`],
  };
  const main = Object.fromEntries(
    FORMATS.map((format) => {
      if (formatAt.get(defaults[format]) === format) return [format, defaults[format]];
      // A feed in a folder may be a section's (sectionOfFeed): never the one the site announces as its own.
      const path =
        configured.find((file) => file.format === format && sectionOfFeed(file.path) === undefined)?.path ??
        fallbacks[format].find((candidate) => (formatAt.get(candidate) ?? format) === format) ??
        defaults[format];
      formatAt.set(path, format);
      return [format, path];
    }),
  ) as Record<FeedFormat, string>;
  return { files: [...formatAt].map(([path, format]) => ({ path, format })), main };
};

/** The configured feed files of the site (`tagNames` absent) or of one tag (the paths with `:tag`). */
const configuredFeeds = (site: Pick<SiteConfig, 'feedPaths'>, tagNames?: readonly string[]): FeedFile[] =>
  Object.entries(site.feedPaths ?? {}).flatMap(([address, format]) => {
    if (address.includes(TAG_PLACEHOLDER) !== (tagNames !== undefined)) return [];
    if (tagNames === undefined) return [{ path: feedFileOf(address), format }];
    const folders = [...new Set(tagNames.map(hugoPathOf))].filter((folder) => safeFolder(folder));
    return folders.map((folder) => ({ path: feedFileOf(address.replace(TAG_PLACEHOLDER, folder)), format }));
  });

/** A tag folder that stays inside the site (no `..`, no empty or dot segment, no leading slash). */
const safeFolder = (folder: string): boolean =>
  folder !== '' && folder.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');

/**
 * The section a configured feed in a folder may belong to: Hugo's `posts/index.xml` is the feed of the section
 * `posts`. It is that section's feed when posts live in a folder of that name (`content/posts/…`,
 * `posts/_posts/…`), and a feed of the whole site otherwise.
 * @example sectionOfFeed('posts/index.xml') // 'posts'
 */
export const sectionOfFeed = (path: string): string | undefined => {
  const slash = path.indexOf('/');
  if (slash <= 0 || path.includes(TAG_PLACEHOLDER) || path.startsWith('tags/')) return undefined;
  const rest = path.slice(slash + 1);
  return rest === '' || rest === 'index.html' ? undefined : path.slice(0, slash);
};

/** Whether a post's source lives in a section's folder (`content/blog/a.md` is in `blog`). */
export const inSection = (sourcePath: string, section: string): boolean =>
  sourcePath.split('/').slice(0, -1).includes(section);

/**
 * The site's feeds: `SITE_FILES` with the configured `feedPaths`, less the feeds of `sections` (which carry their
 * section's posts only; see sectionFeedFiles).
 */
export const siteFeedLayout = (
  site: Pick<SiteConfig, 'feedPaths'>,
  sections: ReadonlySet<string> = new Set(),
): FeedLayout => {
  const layout = arrangeFeeds(
    { rss: SITE_FILES.rss, atom: SITE_FILES.atom, json: SITE_FILES.json },
    configuredFeeds(site),
  );
  const ofSection = (file: FeedFile) => sections.has(sectionOfFeed(file.path) ?? '');
  return { ...layout, files: layout.files.filter((file) => !ofSection(file)) };
};

/** The configured feeds that belong to a section, among the sections posts live in. */
export const sectionFeeds = (
  site: Pick<SiteConfig, 'feedPaths'>,
  sourcePaths: Iterable<string>,
): { section: string; file: FeedFile }[] => {
  const sources = [...sourcePaths];
  return configuredFeeds(site).flatMap((file) => {
    const section = sectionOfFeed(file.path);
    return section !== undefined && sources.some((source) => inSection(source, section)) ? [{ section, file }] : [];
  });
};

/** One section's feed file, from the section's newest posts (the first `site.feedSize` are used). */
export const renderSectionFeedFile = (
  section: string,
  file: FeedFile,
  newest: readonly PublishedPost[],
  site: SiteConfig,
  now: Date,
): PublicFile[] =>
  renderFeedLayout(
    { files: [file], main: { rss: file.path, atom: file.path, json: file.path } },
    newest.filter((post) => inSection(post.sourcePath, section)).slice(0, site.feedSize),
    site,
    now,
    {
      title: `${site.title}: ${section}`,
      description: `Posts in ${section} on ${site.title}.`,
      home: SITE_FILES.index,
    },
  );

/**
 * One tag's feeds: its three in the tag's folder, with the configured `:tag` paths.
 * @example tagFeedLayout({ feedPaths: { 'tags/:tag/index.xml': 'rss' } }, 'rust').files.at(-1) // { path: 'tags/rust/index.xml', format: 'rss' }
 */
export const tagFeedLayout = (
  site: Pick<SiteConfig, 'feedPaths'>,
  tagSlug: string,
  tagNames: readonly string[] = [tagSlug],
): FeedLayout => arrangeFeeds(tagFeedPaths(tagSlug), configuredFeeds(site, tagNames));

/** Renders every file of a layout, each in its format, with its own address as self and its media type. */
export const renderFeedLayout = (
  layout: FeedLayout,
  posts: readonly PublishedPost[],
  site: SiteConfig,
  now: Date,
  scope?: Omit<FeedScope, FeedFormat>,
): PublicFile[] => {
  const bodies = buildFeedDocuments(posts, site, now, scope && { ...scope, ...layout.main }, layout.files);
  return layout.files.map((file, at) => ({
    path: file.path,
    body: bodies[at] ?? '',
    contentType: FEED_CONTENT_TYPES[file.format],
  }));
};

/** The site's feed files (its sections' aside), from its newest posts. */
export const renderSiteFeedFiles = (
  newest: readonly PublishedPost[],
  site: SiteConfig,
  now: Date,
  sections: ReadonlySet<string> = new Set(),
): PublicFile[] => renderFeedLayout(siteFeedLayout(site, sections), newest, site, now);

/** A tag's feed files, from its newest posts in full (the first `site.feedSize` are used). */
export const renderTagFeedFiles = (
  group: TagGroup,
  newest: readonly PublishedPost[],
  site: SiteConfig,
  now: Date,
): PublicFile[] =>
  renderFeedLayout(tagFeedLayout(site, group.slug, group.names), newest.slice(0, site.feedSize), site, now, {
    title: `${site.title}: ${group.name}`,
    description: `Posts tagged ${group.name} on ${site.title}.`,
    // In companion mode no tag page is written here: the feed's home is the site's home page.
    home: site.siteUrl === undefined ? tagPagePath(group.slug) : SITE_FILES.index,
  });

/** Every feed file of a tag: what is deleted with its page when its last post loses the tag. */
export const tagFeedFilePaths = (
  site: Pick<SiteConfig, 'feedPaths'>,
  tagSlug: string,
  tagNames?: readonly string[],
): string[] => tagFeedLayout(site, tagSlug, tagNames).files.map((file) => file.path);
