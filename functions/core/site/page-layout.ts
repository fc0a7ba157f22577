/**
 * The frame every public page shares: head (meta, canonical, stylesheet, feed autodiscovery), site header and footer.
 */
import { type HtmlValue, html, type SafeHtml } from '../html.ts';
import { archiveUrl, SITE_FILES, siteUrl } from '../paths.ts';
import type { SiteConfig } from '../types.ts';
import { siteFeedLayout } from './feed-paths.ts';
// A cycle by design: the footer shows the subscribe form, and the subscription pages use this frame. Neither module
// calls the other while loading, so either may be imported first.
import { renderSubscribeForm } from './subscribe-form.ts';

/** Which top-level page is showing, so its header link can say `aria-current="page"`. */
export type Section = 'home' | 'archive' | 'subscribe' | 'other';

export interface PageFrame {
  /** Text of `<title>`; the site title is appended unless this is the home page. */
  title: string;
  description: string;
  /** Absolute URL of the page as search engines should know it; absent for pages kept out of search engines. */
  canonical?: string;
  section: Section;
  /** Extra `<head>` markup (OpenGraph on post pages). */
  head?: SafeHtml;
  main: SafeHtml;
  /**
   * Whether the footer offers the subscribe form (only ever when the site sends mail); default true. Pages of the
   * subscription flow say false: they carry the form in their main content, or follow a subscription already.
   */
  footerForm?: boolean;
}

const FEEDS = [
  { format: 'rss', type: 'application/rss+xml', label: 'RSS' },
  { format: 'atom', type: 'application/atom+xml', label: 'Atom' },
  { format: 'json', type: 'application/feed+json', label: 'JSON Feed' },
] as const;

/** The longest meta description search engines and link previews tend to show whole. */
export const DESCRIPTION_LENGTH = 200;

const current = (active: boolean): HtmlValue => (active ? html` aria-current="page"` : '');

/** The site's three feeds with their absolute URLs (where `feedPaths` put each format), for autodiscovery and links. */
export const siteFeeds = (site: SiteConfig): { href: string; type: string; label: string }[] => {
  const { main } = siteFeedLayout(site);
  return FEEDS.map((feed) => ({ href: siteUrl(site, main[feed.format]), type: feed.type, label: feed.label }));
};

/** A complete HTML document around a page's main content. */
export const renderDocument = (site: SiteConfig, page: PageFrame): string => {
  const home = siteUrl(site, SITE_FILES.index);
  const archive = archiveUrl(site);
  const feeds = siteFeeds(site);
  const title = page.section === 'home' ? page.title : `${page.title} · ${site.title}`;
  const document = html`<!doctype html>
<html lang="${site.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<meta name="description" content="${page.description}">
${page.canonical ? html`<link rel="canonical" href="${page.canonical}">\n` : ''}<link rel="stylesheet" href="${siteUrl(site, SITE_FILES.stylesheet)}">
<link rel="icon" href="${siteUrl(site, SITE_FILES.favicon)}" type="image/svg+xml">
${feeds.map((feed) => html`<link rel="alternate" type="${feed.type}" title="${site.title} (${feed.label})" href="${feed.href}">\n`)}${page.head}</head>
<body>
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header">
<div class="wrap">
<a class="site-title" href="${home}"${current(page.section === 'home')}>${site.title}</a>
<nav class="site-nav" aria-label="Site">
<ul>
<li><a href="${archive}"${current(page.section === 'archive')}>Archive</a></li>
<li><a href="${siteUrl(site, SITE_FILES.subscribe)}"${current(page.section === 'subscribe')}>Subscribe</a></li>
</ul>
</nav>
</div>
</header>
<main id="content" class="wrap">
${page.main}
</main>
<footer class="site-footer">
<div class="wrap">
${site.mail && page.footerForm !== false ? renderFooterForm(site) : ''}<nav id="feeds" aria-label="Feeds">
<p>Follow ${site.title} in your feed reader:</p>
<ul class="feed-links">
${feeds.map((feed) => html`<li><a href="${feed.href}" type="${feed.type}">${feed.label}</a></li>\n`)}</ul>
</nav>
${site.author ? html`<p class="byline">Written by ${site.author.name}.</p>\n` : ''}</div>
</footer>
</body>
</html>
`;
  return document.value;
};

const renderFooterForm = (site: SiteConfig): SafeHtml => {
  const form = renderSubscribeForm(site, { idPrefix: 'footer-subscribe-' });
  return html`<section class="footer-subscribe" aria-labelledby="footer-subscribe-title">
<h2 id="footer-subscribe-title">Get new posts by email</h2>
${form}
</section>
`;
};
