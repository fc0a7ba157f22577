import { buildFeeds } from './feeds.ts';
import { renderArchivePage, renderIndexPage, renderMonthPage, renderPostPage } from './pages.ts';
import { monthOf, monthPagePath, postPagePath, SITE_FILES } from './paths.ts';
import { compareNewestFirst, toSummary } from './published-post.ts';
import { renderSubscribePage } from './subscribers/subscription-pages.ts';
import type { MonthRef, PostSummary, PublicFile, PublishedPost, SiteConfig } from './types.ts';

/*
 * The site as files. The publisher renders only the files a change touches (one at a time, from the index);
 * the CLI and the benchmark render all of them at once with buildSiteFiles. Both go through these functions.
 */

export const renderFeedFiles = (newest: PublishedPost[], site: SiteConfig, now: Date): PublicFile[] => {
  const feeds = buildFeeds(newest, site, now);
  return [
    { path: SITE_FILES.rss, body: feeds.rss },
    { path: SITE_FILES.atom, body: feeds.atom },
    { path: SITE_FILES.json, body: feeds.json },
  ];
};

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

export const renderMonthFile = (
  month: string,
  posts: PostSummary[],
  months: MonthRef[],
  site: SiteConfig,
): PublicFile => ({
  path: monthPagePath(month),
  body: renderMonthPage(month, posts, months, site),
});

export const renderPostFile = (post: PublishedPost, months: MonthRef[], site: SiteConfig): PublicFile => ({
  path: postPagePath(post.slug),
  body: renderPostPage(post, site, { months }),
});

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
  const months = toMonthRefs(new Map([...byMonth].map(([month, list]) => [month, list.length])));
  return [
    ...renderFeedFiles(sorted.slice(0, site.feedSize), site, now),
    renderIndexFile(sorted.slice(0, site.pageSize).map(toSummary), months, site),
    renderArchiveFile(months, site),
    renderSubscribeFile(site),
    ...months.map((ref) => renderMonthFile(ref.month, byMonth.get(ref.month) ?? [], months, site)),
    ...sorted.map((post) => renderPostFile(post, months, site)),
  ];
};

/** Archive months with their post counts, newest first (the order every page lists them in). */
export const toMonthRefs = (counts: ReadonlyMap<string, number>): MonthRef[] =>
  [...counts].map(([month, count]) => ({ month, count })).sort((a, b) => (a.month < b.month ? 1 : -1));
