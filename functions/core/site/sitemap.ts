/**
 * Sitemaps (the sitemaps.org protocol 0.9) and robots.txt. `sitemap.xml` is a sitemap index: one sitemap per
 * archive month (its page and its posts' pages), written when that month changes, and one for the site-wide
 * pages (home, archive, tag pages). Each stays far below the protocol's 50,000 URLs and 50 MB per file, and a new
 * post rewrites only its month's sitemap and the small index.
 */

import { monthPagePath, monthSitemapPath, pageUrlOfName, SITE_FILES, siteUrl, tagPagePath } from '../paths.ts';
import type { ArchiveEntry, MonthRef, PublicFile, SiteConfig } from '../types.ts';
import { renderXmlDocument, type XmlElement } from '../xml.ts';
import type { TagGroup } from './archive-entries.ts';

const NAMESPACE = 'http://www.sitemaps.org/schemas/sitemap/0.9';

/** The sitemap of the site-wide pages; listed first in the index. */
export const PAGES_SITEMAP = 'sitemaps/pages.xml';

const url = (loc: string, lastmod?: string): XmlElement => ({
  name: 'url',
  children: [
    { name: 'loc', text: loc },
    ...(lastmod ? [{ name: 'lastmod', text: new Date(lastmod).toISOString() }] : []),
  ],
});

const newestOf = (entries: readonly ArchiveEntry[]): string | undefined =>
  entries
    .map((entry) => entry.updated ?? entry.date)
    .sort()
    .at(-1);

/** The sitemap index: the site-wide pages, then every month's sitemap, newest first. */
export const renderSitemapIndexFile = (months: readonly MonthRef[], site: SiteConfig): PublicFile => ({
  path: SITE_FILES.sitemap,
  body: renderXmlDocument({
    name: 'sitemapindex',
    attributes: [['xmlns', NAMESPACE]],
    children: [PAGES_SITEMAP, ...months.map((ref) => monthSitemapPath(ref.month))].map((path) => ({
      name: 'sitemap',
      children: [{ name: 'loc', text: siteUrl(site, path) }],
    })),
  }),
});

/** Home, archive and tag pages, each dated by the newest post it lists. */
export const renderPagesSitemapFile = (
  entries: readonly ArchiveEntry[],
  tags: ReadonlyMap<string, TagGroup>,
  site: SiteConfig,
): PublicFile => {
  const newest = newestOf(entries);
  return {
    path: PAGES_SITEMAP,
    body: renderXmlDocument({
      name: 'urlset',
      attributes: [['xmlns', NAMESPACE]],
      children: [
        url(siteUrl(site, SITE_FILES.index), newest),
        url(siteUrl(site, SITE_FILES.archive), newest),
        ...[...tags.values()]
          .sort((a, b) => (a.slug < b.slug ? -1 : 1))
          .map((group) => url(siteUrl(site, tagPagePath(group.slug)), newestOf(group.entries))),
      ],
    }),
  };
};

/**
 * One month's page and the pages of its posts. Post pages are left out when a permalink pattern sends readers to
 * the author's own blog: a sitemap lists canonical addresses only, and those pages name another one.
 */
export const renderMonthSitemapFile = (
  month: string,
  entries: readonly ArchiveEntry[],
  site: SiteConfig,
): PublicFile => ({
  path: monthSitemapPath(month),
  body: renderXmlDocument({
    name: 'urlset',
    attributes: [['xmlns', NAMESPACE]],
    children: [
      url(siteUrl(site, monthPagePath(month)), newestOf(entries)),
      ...(site.permalink
        ? []
        : entries.map((entry) => url(pageUrlOfName(site, entry.slug), entry.updated ?? entry.date))),
    ],
  }),
});

/** Crawlers may read everything but the subscription API, and learn where the sitemap is. */
export const renderRobotsFile = (site: SiteConfig): PublicFile => ({
  path: SITE_FILES.robots,
  body: `User-agent: *\nDisallow: ${new URL('/api/', site.baseUrl).pathname}\n\nSitemap: ${siteUrl(site, SITE_FILES.sitemap)}\n`,
});
