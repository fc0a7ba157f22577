import {
  addressFile,
  monthOf,
  monthPagePath,
  pageNameOfAddress,
  postPagePath,
  SITE_FILES,
  tagPagePath,
} from '../paths.ts';
import { compareNewestFirst, toSummary } from '../posts/published-post.ts';
import type { MonthRef, PostSummary, PublicFile, PublishedPost, SiteConfig } from '../types.ts';
import {
  allEntries,
  groupByTag,
  type Neighbours,
  neighboursOf,
  type TagGroup,
  toArchiveEntry,
} from './archive-entries.ts';
import {
  renderSectionFeedFile,
  renderSiteFeedFiles,
  renderTagFeedFiles,
  sectionFeeds,
  tagFeedFilePaths,
} from './feed-paths.ts';
import {
  renderArchivePage,
  renderIndexPage,
  renderMonthPage,
  renderNotFoundPage,
  renderPostPage,
  renderTagPage,
} from './pages.ts';
import { AliasError, aliasFile } from './redirects.ts';
import { renderMonthSitemapFile, renderPagesSitemapFile, renderRobotsFile, renderSitemapIndexFile } from './sitemap.ts';
import { renderSubscribePage } from './subscription-pages.ts';

/*
 * The site as files. The publisher renders only the files a change touches (one at a time, from the index);
 * the CLI and the benchmark render all of them at once with buildSiteFiles. Both go through these functions.
 */

/** The site's feeds: the default files and the configured `feedPaths` (feed-paths.ts). */
export const renderFeedFiles = (
  newest: PublishedPost[],
  site: SiteConfig,
  now: Date,
  sections: ReadonlySet<string> = new Set(),
): PublicFile[] => renderSiteFeedFiles(newest, site, now, sections);

export const renderIndexFile = (newest: PostSummary[], months: MonthRef[], site: SiteConfig): PublicFile => ({
  path: SITE_FILES.index,
  body: renderIndexPage(newest, months, site),
});

export const renderArchiveFile = (months: MonthRef[], site: SiteConfig): PublicFile => ({
  path: SITE_FILES.archive,
  body: renderArchivePage(months, site),
});

/** The subscribe page depends on the site settings alone; it is written with the other site-wide pages. */
export const renderSubscribeFile = (site: SiteConfig): PublicFile => ({
  path: SITE_FILES.subscribe,
  body: renderSubscribePage(site),
});

/**
 * The files that depend on the site settings and the archive as a whole, written whenever the feeds are: the 404
 * page, robots.txt, and the sitemap index with the sitemap of site-wide pages.
 */
export const renderSiteWideFiles = (months: MonthRef[], site: SiteConfig): PublicFile[] => {
  if (isCompanion(site)) return [{ path: SITE_FILES.notFound, body: renderNotFoundPage(site) }];
  const entries = allEntries(months);
  return [
    { path: SITE_FILES.notFound, body: renderNotFoundPage(site) },
    renderRobotsFile(site),
    renderSitemapIndexFile(months, site),
    renderPagesSitemapFile(entries, groupByTag(entries), site),
  ];
};

/**
 * A tag's page and its feeds (feed-paths.ts). `newest` holds the tag's newest posts in full (at least `site.feedSize` of
 * them where the tag has that many), for the feeds.
 */
export const renderTagFiles = (group: TagGroup, newest: PublishedPost[], site: SiteConfig, now: Date): PublicFile[] => [
  { path: tagPagePath(group.slug), body: renderTagPage(group, site) },
  ...renderTagFeedFiles(group, newest, site, now),
];

/** A tag's feeds alone, without its page (companion mode). */
export const tagFeedFiles = (files: PublicFile[]): PublicFile[] => files.filter((file) => !file.path.endsWith('.html'));

/** Every file of a tag, given the spellings it had: what is deleted when its last post loses the tag. */
export const tagFilePaths = (slug: string, site: SiteConfig, names?: readonly string[]): string[] => [
  tagPagePath(slug),
  ...tagFeedFilePaths(site, slug, names),
];

export const renderMonthFile = (
  month: string,
  posts: PostSummary[],
  months: MonthRef[],
  site: SiteConfig,
): PublicFile[] => [
  { path: monthPagePath(month), body: renderMonthPage(month, posts, months, site) },
  renderMonthSitemapFile(month, posts.map(toArchiveEntry), site),
];

export const renderPostFile = (
  post: PublishedPost,
  months: MonthRef[],
  site: SiteConfig,
  neighbours: Neighbours = {},
): PublicFile => {
  const path = postPagePath(post.slug);
  const body = renderPostPage(post, site, { months, neighbours });
  // A kept address such as `blog/julia-0.7` is a page whatever its name ends in.
  return path.endsWith('.html') ? { path, body } : { path, body, contentType: 'text/html; charset=utf-8' };
};

/**
 * The alias file at the file of the page name `name` (a slug's `/posts/<slug>/` or a site path) when `post`
 * redirects from an address written there, however spelled, or undefined when it does not (any more).
 */
export const aliasFileOf = (name: string, post: PublishedPost, site: SiteConfig): PublicFile | undefined => {
  const path = postPagePath(name);
  // An alias that lands on the post's own page would replace it with a redirect to itself.
  if (path === postPagePath(post.slug)) return undefined;
  for (const address of redirectsOf(post)) {
    if (addressFile(address) !== path) continue;
    try {
      const file = aliasFile(address, post.url, site);
      if (file.path === path) return file;
    } catch (error) {
      if (!(error instanceof AliasError)) throw error;
    }
  }
  return undefined;
};

/** The old addresses that redirect to a post: its aliases, and where it was before it moved. */
export const redirectsOf = (post: Pick<PublishedPost, 'aliases' | 'movedFrom'>): string[] => [
  ...new Set([...(post.aliases ?? []), ...(post.movedFrom ?? [])]),
];

/**
 * The alias files of a set of posts: one per old address no page has, the first post listing an address keeping
 * it (the publisher's claims decide the same way, by who came first).
 */
export const aliasFilesOf = (posts: readonly PublishedPost[], site: SiteConfig): PublicFile[] => {
  // Compared as files: a page wins over any alias of its address, whatever name either is written under.
  const taken = new Set(posts.map((post) => postPagePath(post.slug)));
  return posts.flatMap((post) =>
    redirectsOf(post).flatMap((address) => {
      const file = aliasFileOf(pageNameOfAddress(address), post, site);
      if (!file || taken.has(file.path)) return [];
      taken.add(file.path);
      return [file];
    }),
  );
};

/**
 * Companion mode: the author keeps their own Hugo or Jekyll site at `siteUrl` and uses this publisher for feeds
 * and mail only. Post links point there, and no archive pages (posts, months, tags, aliases, sitemaps) are
 * written here; the feeds, the index, the subscribe page and the 404 page still are.
 */
export const isCompanion = (site: Pick<SiteConfig, 'siteUrl'>): boolean => site.siteUrl !== undefined;

/** Every public file for a set of published posts (any order). */
export const buildSiteFiles = (posts: PublishedPost[], site: SiteConfig, now: Date): PublicFile[] => {
  const sorted = [...posts].sort(compareNewestFirst);
  const byMonth = new Map<string, PostSummary[]>();
  for (const post of sorted) {
    const month = monthOf(new Date(post.date), site.timeZone);
    const list = byMonth.get(month) ?? [];
    list.push(toSummary(post));
    byMonth.set(month, list);
  }
  const months = toMonthRefs(
    new Map([...byMonth].map(([month, list]) => [month, list.length])),
    new Map([...byMonth].map(([month, list]) => [month, list.map(toArchiveEntry)])),
  );
  const entries = allEntries(months);
  const bySlug = new Map(sorted.map((post) => [post.slug, post]));
  // Sections with a feed of their own (feedPaths) are left out of the site's feeds and get theirs from every post.
  const sections = sectionFeeds(
    site,
    sorted.map((post) => post.sourcePath),
  );
  const tagFiles = [...groupByTag(entries).values()].flatMap((group) =>
    renderTagFiles(
      group,
      group.entries.slice(0, site.feedSize).flatMap((entry) => bySlug.get(entry.slug) ?? []),
      site,
      now,
    ),
  );
  const everySite = [
    ...renderFeedFiles(sorted.slice(0, site.feedSize), site, now, new Set(sections.map(({ section }) => section))),
    ...sections.flatMap(({ section, file }) => renderSectionFeedFile(section, file, sorted, site, now)),
    renderIndexFile(sorted.slice(0, site.pageSize).map(toSummary), months, site),
    renderSubscribeFile(site),
    ...renderSiteWideFiles(months, site),
  ];
  if (isCompanion(site)) return [...everySite, ...tagFeedFiles(tagFiles)];
  return [
    ...everySite,
    renderArchiveFile(months, site),
    ...months.flatMap((ref) => renderMonthFile(ref.month, byMonth.get(ref.month) ?? [], months, site)),
    ...sorted.map((post) => renderPostFile(post, months, site, neighboursOf(entries, post.slug))),
    ...aliasFilesOf(
      [...posts].sort((a, b) => (a.sourcePath < b.sourcePath ? -1 : 1)),
      site,
    ),
    ...tagFiles,
  ];
};

/** Archive months with their post counts (and entries, where known), newest first (the order every page lists them in). */
export const toMonthRefs = (
  counts: ReadonlyMap<string, number>,
  entries: ReadonlyMap<string, MonthRef['posts']> = new Map(),
): MonthRef[] =>
  [...counts]
    .map(([month, count]): MonthRef => {
      const posts = entries.get(month);
      return posts ? { month, count, posts } : { month, count };
    })
    .sort((a, b) => (a.month < b.month ? 1 : -1));
