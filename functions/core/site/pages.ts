/**
 * The archive site: one page per post, the home page, one page per month and the archive overview. Pure functions
 * from values to complete HTML documents; the stylesheet they link lives in templates/site/style.css.
 */

import { type HtmlValue, html, raw, type SafeHtml, safeHref } from '../html.ts';
import { listFormat } from '../intl-cache.ts';
import { archiveUrl, monthOf, monthPagePath, pageUrlOfName, SITE_FILES, siteUrl, tagPagePath } from '../paths.ts';
import {
  countPosts,
  describeDate,
  formatMonth,
  parseInstant,
  splitMonth,
  textParagraphs,
  truncateText,
} from '../text-format.ts';
import type { ArchiveEntry, Author, MonthRef, PostSummary, PublishedPost, SiteConfig } from '../types.ts';
import { type Neighbours, type TagGroup, tagSlug } from './archive-entries.ts';
import { tagFeedLayout } from './feed-paths.ts';
import { DESCRIPTION_LENGTH, renderDocument } from './page-layout.ts';

/**
 * The page of one post. The post's HTML was sanitized when it was parsed and goes in as-is; everything else is
 * escaped.
 * @example renderPostPage(post, site, { months: [{ month: '2024-11', count: 3 }] })
 */
export const renderPostPage = (
  post: PublishedPost,
  site: SiteConfig,
  nav: { months: MonthRef[]; neighbours?: Neighbours },
): string => {
  const published = describeDate(post.date, site, `date of post "${post.slug}"`);
  const updated = post.updated ? describeDate(post.updated, site, `updated date of post "${post.slug}"`) : undefined;
  const month = monthOf(parseInstant(post.date, `date of post "${post.slug}"`), site.timeZone);
  const monthListed = nav.months.some((ref) => ref.month === month);
  const description = truncateText((post.summary || site.description).replace(/\s+/g, ' '), DESCRIPTION_LENGTH);
  const image = safeHref(post.image);

  const head = html`<meta property="og:type" content="article">
<meta property="og:site_name" content="${site.title}">
<meta property="og:title" content="${post.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${post.url}">
${image ? html`<meta property="og:image" content="${image}">\n` : ''}<meta property="article:published_time" content="${published.datetime}">
${updated ? html`<meta property="article:modified_time" content="${updated.datetime}">\n` : ''}${post.tags.map(
  (tag) => html`<meta property="article:tag" content="${tag}">\n`,
)}<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">
${post.authors.length > 0 ? html`<meta name="author" content="${post.authors.map((a) => a.name).join(', ')}">\n` : ''}`;

  const main = html`<article class="post">
<header class="post-header">
<h1>${post.title}</h1>
<p class="meta">
<span class="published">Published <time datetime="${published.datetime}">${published.label}</time></span>
${updated ? html`<span class="updated">Updated <time datetime="${updated.datetime}">${updated.label}</time></span>\n` : ''}${
  post.authors.length > 0 ? html`<span class="authors">By ${renderAuthors(post.authors, site)}</span>\n` : ''
}</p>
</header>
<div class="post-body">
${raw(withKeyboardScrolling(post.html))}
</div>
${
  post.tags.length > 0
    ? html`<footer class="post-footer">
<h2 class="visually-hidden">Tags</h2>
<ul class="tags">
${post.tags.map((tag) => html`<li><a href="${siteUrl(site, tagPagePath(tagSlug(tag)))}" rel="tag">${tag}</a></li>\n`)}</ul>
</footer>
`
    : ''
}</article>
${renderNeighbours(nav.neighbours ?? {}, site)}<nav class="pagination" aria-label="More posts">
<a href="${siteUrl(site, SITE_FILES.index)}">← Latest posts</a>
${
  monthListed
    ? html`<a href="${siteUrl(site, monthPagePath(month))}">More from ${formatMonth(month, site)}</a>`
    : html`<a href="${siteUrl(site, SITE_FILES.archive)}">Archive</a>`
}
</nav>`;

  return renderDocument(site, {
    title: post.title,
    description,
    // The public URL the feeds announce: the archive page, or the author's own blog when a permalink is configured.
    canonical: post.url,
    section: 'other',
    head,
    main,
  });
};

/**
 * The home page: the newest posts (the caller passes the newest `site.pageSize`), then a link to the month page
 * holding the next older posts and one to the archive.
 */
export const renderIndexPage = (posts: PostSummary[], months: MonthRef[], site: SiteConfig): string => {
  const listed = newestFirst(posts);
  const older = olderPostsMonth(listed, months, site);
  const main = html`<div class="intro">
<h1>${site.title}</h1>
${site.description ? html`<p class="lede">${site.description}</p>\n` : ''}</div>
${renderPostList(listed, site, 'Nothing has been published yet.')}
<nav class="pagination" aria-label="More posts">
<a href="${archiveUrl(site)}">Full archive</a>
${older && site.siteUrl === undefined ? html`<a rel="next" href="${siteUrl(site, monthPagePath(older))}">Older posts →</a>\n` : ''}</nav>`;
  return renderDocument(site, {
    title: site.title,
    description: truncateText(site.description || site.title, DESCRIPTION_LENGTH),
    canonical: siteUrl(site, SITE_FILES.index),
    section: 'home',
    main,
  });
};

/**
 * The page of one archive month (`YYYY-MM`), linking to the neighbouring months that exist.
 * @example renderMonthPage('2024-11', postsOfNovember, months, site)
 */
export const renderMonthPage = (month: string, posts: PostSummary[], months: MonthRef[], site: SiteConfig): string => {
  splitMonth(month);
  const label = formatMonth(month, site);
  const keys = monthKeysNewestFirst(months);
  // Neighbours by date, not by position, so the links are right even for a month missing from the list.
  const newer = keys.filter((key) => key > month).at(-1);
  const older = keys.find((key) => key < month);
  const newerLink = newer
    ? html`<a rel="prev" href="${siteUrl(site, monthPagePath(newer))}"><span class="label">← Newer</span> ${formatMonth(newer, site)}</a>\n`
    : '';
  const olderLink = older
    ? html`<a rel="next" href="${siteUrl(site, monthPagePath(older))}"><span class="label">Older →</span> ${formatMonth(older, site)}</a>\n`
    : '';
  const main = html`<div class="intro">
<p class="kicker"><a href="${siteUrl(site, SITE_FILES.archive)}">Archive</a></p>
<h1>${label}</h1>
<p class="lede">${countPosts(posts.length)}</p>
</div>
${renderPostList(newestFirst(posts), site, 'No posts this month.')}
${newer || older ? html`<nav class="pagination" aria-label="Months">\n${newerLink}${olderLink}</nav>` : ''}`;
  return renderDocument(site, {
    title: `${label} · Archive`,
    description: `Posts from ${label} on ${site.title}.`,
    canonical: siteUrl(site, monthPagePath(month)),
    section: 'other',
    main,
  });
};

/** Links to the next newer and next older post, each with its title. */
const renderNeighbours = (neighbours: Neighbours, site: SiteConfig): HtmlValue => {
  const { newer, older } = neighbours;
  if (!newer && !older) return '';
  const link = (entry: ArchiveEntry, rel: 'prev' | 'next', label: string) =>
    html`<a rel="${rel}" href="${pageUrlOfName(site, entry.slug)}"><span class="label">${label}</span> ${entry.title}</a>\n`;
  return html`<nav class="post-neighbours" aria-label="Neighbouring posts">
${newer ? link(newer, 'prev', 'Newer post') : ''}${older ? link(older, 'next', 'Older post') : ''}</nav>
`;
};

/** The archive overview: every month with its post count and the titles of its posts, grouped by year, newest first. */
export const renderArchivePage = (months: MonthRef[], site: SiteConfig): string => {
  const byYear = new Map<string, MonthRef[]>();
  for (const ref of [...months].sort((a, b) => compareDesc(a.month, b.month))) {
    const { year } = splitMonth(ref.month);
    byYear.set(year, [...(byYear.get(year) ?? []), ref]);
  }
  const total = months.reduce((sum, ref) => sum + ref.count, 0);
  const first = monthKeysNewestFirst(months).at(-1);
  const main = html`<div class="intro">
<h1>Archive</h1>
${first ? html`<p class="lede">${countPosts(total)} since ${formatMonth(first, site)}.</p>\n` : ''}</div>
${
  byYear.size === 0
    ? html`<p class="empty">Nothing has been published yet.</p>\n`
    : [...byYear].map(
        ([year, refs]) => html`<section class="archive-year" aria-labelledby="year-${year}">
<h2 id="year-${year}">${year}</h2>
<ul class="months">
${refs.map(
  (ref) =>
    html`<li><a href="${siteUrl(site, monthPagePath(ref.month))}">${formatMonth(ref.month, site, false)}</a> <span class="count">${countPosts(ref.count)}</span>${renderTitles(ref.posts ?? [], site)}</li>\n`,
)}</ul>
</section>
`,
      )
}`;
  return renderDocument(site, {
    title: 'Archive',
    description: `Every post on ${site.title}, month by month.`,
    canonical: siteUrl(site, SITE_FILES.archive),
    section: 'archive',
    main,
  });
};

const renderTitles = (entries: ArchiveEntry[], site: SiteConfig): HtmlValue =>
  entries.length === 0
    ? ''
    : html`
<ul class="archive-titles">
${entries.map((entry) => {
  const date = describeDate(entry.date, site, `date of post "${entry.slug}"`);
  return html`<li><a href="${pageUrlOfName(site, entry.slug)}">${entry.title}</a> <time datetime="${date.datetime}">${date.label}</time></li>\n`;
})}</ul>
`;

/** The page of one tag: its posts newest first, and its own feeds (announced for autodiscovery too). */
export const renderTagPage = (group: TagGroup, site: SiteConfig): string => {
  const feeds = tagFeedLayout(site, group.slug).main;
  const links = [
    { href: siteUrl(site, feeds.rss), type: 'application/rss+xml', label: 'RSS' },
    { href: siteUrl(site, feeds.atom), type: 'application/atom+xml', label: 'Atom' },
    { href: siteUrl(site, feeds.json), type: 'application/feed+json', label: 'JSON Feed' },
  ];
  const head = html`${links.map(
    (feed) =>
      html`<link rel="alternate" type="${feed.type}" title="${site.title}: ${group.name} (${feed.label})" href="${feed.href}">\n`,
  )}`;
  const main = html`<div class="intro">
<p class="kicker">Tag</p>
<h1>${group.name}</h1>
<p class="lede">${countPosts(group.entries.length)}. Follow this tag: ${links.map(
    (feed, at) => html`${at > 0 ? ', ' : ''}<a href="${feed.href}" type="${feed.type}">${feed.label}</a>`,
  )}.</p>
</div>
${group.entries.length === 0 ? html`<p class="empty">No posts have this tag any more.</p>\n` : renderTitles(group.entries, site)}`;
  return renderDocument(site, {
    title: `${group.name} · Tags`,
    description: `Posts tagged ${group.name} on ${site.title}.`,
    canonical: siteUrl(site, tagPagePath(group.slug)),
    section: 'other',
    head,
    main,
  });
};

/** The page served for any address that holds nothing (CloudFront's custom error response, the dev server). */
export const renderNotFoundPage = (site: SiteConfig): string => {
  const main = html`<div class="intro">
<h1>Page not found</h1>
<p class="lede">Nothing is published at this address. It may have moved, or the link may be mistyped.</p>
</div>
<ul class="not-found-links">
<li><a href="${siteUrl(site, SITE_FILES.index)}">Latest posts</a></li>
<li><a href="${archiveUrl(site)}">Archive of every post</a></li>
</ul>`;
  return renderDocument(site, {
    title: 'Page not found',
    description: `No page at this address on ${site.title}.`,
    section: 'other',
    main,
  });
};

const compareDesc = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);

const monthKeysNewestFirst = (months: MonthRef[]): string[] =>
  [...new Set(months.map((ref) => ref.month))].sort(compareDesc);

/** Newest first; equal dates by slug, so the order never depends on the order the caller happened to use. */
const newestFirst = <T extends PostSummary>(posts: T[]): T[] =>
  posts
    .map((post) => ({ post, time: parseInstant(post.date, `date of post "${post.slug}"`).getTime() }))
    .sort((a, b) => b.time - a.time || (a.post.slug < b.post.slug ? -1 : a.post.slug > b.post.slug ? 1 : 0))
    .map(({ post }) => post);

/**
 * Where "Older posts" leads from the home page: the month of the oldest listed post when that month holds more
 * posts than are listed, else the next older month; undefined when everything is already listed.
 */
const olderPostsMonth = (listed: PostSummary[], months: MonthRef[], site: SiteConfig): string | undefined => {
  const keys = monthKeysNewestFirst(months);
  const oldest = listed.at(-1);
  if (!oldest) return keys[0];
  const oldestMonth = monthOf(parseInstant(oldest.date, `date of post "${oldest.slug}"`), site.timeZone);
  const listedInMonth = listed.filter(
    (post) => monthOf(parseInstant(post.date, `date of post "${post.slug}"`), site.timeZone) === oldestMonth,
  ).length;
  const inArchive = months.find((ref) => ref.month === oldestMonth)?.count ?? 0;
  if (inArchive > listedInMonth) return oldestMonth;
  return keys.find((key) => key < oldestMonth);
};

const renderPostList = (posts: PostSummary[], site: SiteConfig, empty: string): SafeHtml => {
  if (posts.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<ul class="post-list">
${posts.map((post) => {
  const href = pageUrlOfName(site, post.slug);
  const date = describeDate(post.date, site, `date of post "${post.slug}"`);
  return html`<li>
<article class="post-summary">
<h2><a href="${href}">${post.title}</a></h2>
<p class="meta"><time datetime="${date.datetime}">${date.label}</time></p>
${textParagraphs(post.summary).map((paragraph) => html`<p class="summary">${paragraph}</p>\n`)}<p class="read-more"><a href="${href}">Read more<span class="visually-hidden">: ${post.title}</span></a></p>
</article>
</li>
`;
})}</ul>`;
};

/**
 * Tables and code blocks scroll sideways on a narrow screen; `tabindex="0"` lets a keyboard user focus and
 * scroll them too (WCAG 2.1.1). Sanitized markup writes these tags without attributes of their own.
 */
const withKeyboardScrolling = (sanitized: string): string => sanitized.replace(/<(table|pre)>/g, '<$1 tabindex="0">');

/** `Ada and Bob`, in the site's language, with links where the author has a safe URL. */
const renderAuthors = (authors: Author[], site: SiteConfig): HtmlValue => {
  const parts = listFormat(site.language, { type: 'conjunction' }).formatToParts(authors.map((a) => a.name));
  let index = 0;
  return parts.map((part) => {
    if (part.type === 'literal') return part.value;
    const author = authors[index++];
    const url = safeHref(author?.url);
    return url ? html`<a href="${url}" rel="author">${part.value}</a>` : part.value;
  });
};
