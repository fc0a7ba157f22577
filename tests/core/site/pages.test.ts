import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw, safeHref } from '../../../functions/core/html.ts';
import { monthPagePath, postPagePath, SITE_FILES, siteUrl } from '../../../functions/core/paths.ts';
import {
  renderArchivePage,
  renderIndexPage,
  renderMonthPage,
  renderPostPage,
} from '../../../functions/core/site/pages.ts';
import type { MonthRef, PostSummary, PublishedPost, SiteConfig } from '../../../functions/core/types.ts';
import { fieldNotesSite } from '../../support/site-fixtures.ts';

const makeSite = (overrides: Partial<SiteConfig> = {}): SiteConfig =>
  fieldNotesSite({ author: { name: 'Ada Example' }, ...overrides });

const makePost = (overrides: Partial<PublishedPost> = {}): PublishedPost => ({
  id: 'tag:notes.example,2024:hello',
  sourcePath: '2024/hello.md',
  slug: 'hello',
  url: 'https://notes.example/blog/posts/hello/',
  title: 'Hello, world',
  date: '2024-11-14T09:30:00.000Z',
  summary: 'The first post.',
  html: '<p>Body of the <em>first</em> post.</p>',
  tags: ['intro'],
  categories: [],
  authors: [{ name: 'Ada Example' }],
  ...overrides,
});

const makeSummary = (overrides: Partial<PostSummary> = {}): PostSummary => {
  const { html: _html, excerptHtml: _excerpt, ...summary } = makePost(overrides);
  return summary;
};

const makeMonths = (): MonthRef[] => [
  { month: '2024-12', count: 2 },
  { month: '2024-11', count: 3 },
  { month: '2024-09', count: 1 },
];

/** Every attribute map of every `<tag ...>` in a document (enough for our own, always double-quoted, output). */
const findTags = (document: string, tag: string): Record<string, string>[] =>
  [...document.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((match) =>
    Object.fromEntries([...(match[1] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

/** Every tag with its quoted attribute values blanked: what is left is markup, so a breakout shows up here. */
const tagSkeletons = (document: string): string[] =>
  (document.match(/<[^>]*>/g) ?? []).map((tag) => tag.replace(/="[^"]*"/g, '=""'));

const hrefsOf = (document: string, rel: string): string[] =>
  findTags(document, 'a')
    .filter((attributes) => attributes.rel === rel)
    .map((attributes) => attributes.href ?? '');

const renderEveryPage = (site: SiteConfig, post: PublishedPost): Record<string, string> => {
  const { html: _html, excerptHtml: _excerpt, ...summary } = post;
  const months = [{ month: '2024-11', count: 1 }];
  return {
    post: renderPostPage(post, site, { months }),
    index: renderIndexPage([summary], months, site),
    month: renderMonthPage('2024-11', [summary], months, site),
    archive: renderArchivePage(months, site),
  };
};

describe('html template', () => {
  it('escapes every interpolated string', () => {
    // Prepare
    const hostile = `"><img src=x onerror=alert(1)>&'`;

    // Act
    const fragment = html`<p title="${hostile}">${hostile}</p>`.value;

    // Assess
    expect(fragment).toBe(
      '<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;</p>',
    );
  });

  it('inserts raw fragments and nested templates verbatim and skips empty values', () => {
    // Prepare
    const items = ['a<', 'b'];

    // Act
    const fragment = html`<div>${raw('<b>bold</b>')}${items.map((item) => html`<i>${item}</i>`)}${undefined}${false}${null}${0}</div>`;

    // Assess
    expect(fragment.value).toBe('<div><b>bold</b><i>a&lt;</i><i>b</i>0</div>');
  });

  // Property: whatever text goes in, the output holds no markup character of its own and decodes back to the input.
  it('round-trips any text through escaping without leaving a markup character', () => {
    const decode = (text: string): string =>
      text.replace(
        /&(lt|gt|quot|#39|amp);/g,
        (_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name] ?? '',
      );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(decode(escaped)).toBe(text);
      }),
    );
  });

  it.each([
    ['javascript:alert(1)', undefined],
    [' JavaScript:alert(1)', undefined],
    ['data:text/html,<b>', undefined],
    ['not a url', undefined],
    ['https://ada.example/', 'https://ada.example/'],
    ['mailto:ada@example.org', 'mailto:ada@example.org'],
  ])('accepts only web and mail links as hrefs (%s)', (url, expected) => {
    // Act
    const href = safeHref(url);

    // Assess
    expect(href).toBe(expected);
  });
});

describe('every page', () => {
  const HOSTILE = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '</title><script>alert(2)</script>',
    "' onmouseover='alert(3)",
  ];

  it.each(HOSTILE)('escapes a hostile %s in titles, tags, summaries, authors and site settings', (hostile) => {
    // Prepare
    const site = makeSite({ title: `Notes ${hostile}`, description: `About ${hostile}`, author: { name: hostile } });
    const post = makePost({
      title: `Title ${hostile}`,
      tags: [hostile],
      summary: `Summary ${hostile}`,
      authors: [{ name: hostile, url: 'https://ada.example/' }],
      html: '<p>Trusted body.</p>',
    });

    // Act
    const pages = renderEveryPage(site, post);

    // Assess
    for (const [name, page] of Object.entries(pages)) {
      expect.soft(page, name).not.toContain('<script');
      expect.soft(page, name).not.toContain('<img');
      expect.soft(page.match(/<\/title>/g), name).toHaveLength(1);
      expect
        .soft(
          tagSkeletons(page).filter((tag) => /\son\w+=/i.test(tag)),
          name,
        )
        .toEqual([]);
      expect.soft(page, name).toContain(escapeHtml(hostile));
    }
  });

  it('puts the hostile title into the title element and the OpenGraph title as text', () => {
    // Prepare
    const post = makePost({ title: '</title><script>x</script>' });

    // Act
    const page = renderPostPage(post, makeSite(), { months: [] });

    // Assess
    expect(page).toContain('<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt; · Field Notes</title>');
    const ogTitle = findTags(page, 'meta').find((attributes) => attributes.property === 'og:title');
    expect(ogTitle?.content).toBe('&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;');
  });

  it('links the three feeds for autodiscovery with absolute URLs on every page', () => {
    // Prepare
    const site = makeSite();

    // Act
    const pages = renderEveryPage(site, makePost());

    // Assess
    for (const [name, page] of Object.entries(pages)) {
      const alternates = findTags(page, 'link')
        .filter((attributes) => attributes.rel === 'alternate')
        .map(({ type, href }) => ({ type, href }));
      expect(alternates, name).toEqual([
        { type: 'application/rss+xml', href: 'https://notes.example/blog/feed.xml' },
        { type: 'application/atom+xml', href: 'https://notes.example/blog/atom.xml' },
        { type: 'application/feed+json', href: 'https://notes.example/blog/feed.json' },
      ]);
    }
  });

  it('has a doctype, the site language, one h1, landmarks, an absolute canonical link and the stylesheet', () => {
    // Prepare
    const site = makeSite({ language: 'en-GB' });

    // Act
    const pages = renderEveryPage(site, makePost());

    // Assess
    for (const [name, page] of Object.entries(pages)) {
      expect.soft(page.startsWith('<!doctype html>\n<html lang="en-GB">'), name).toBe(true);
      expect.soft(page, name).toContain('<meta charset="utf-8">');
      expect.soft(page, name).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect.soft(page.match(/<h1[ >]/g), name).toHaveLength(1);
      for (const landmark of ['<header', '<nav', '<main', '<footer']) expect.soft(page, name).toContain(landmark);
      const links = findTags(page, 'link');
      const canonical = links.find((attributes) => attributes.rel === 'canonical')?.href ?? '';
      expect.soft(canonical, name).toMatch(/^https:\/\/notes\.example\/blog\//);
      expect
        .soft(links.find((attributes) => attributes.rel === 'stylesheet')?.href, name)
        .toBe('https://notes.example/blog/style.css');
      expect.soft(findTags(page, 'meta').find((a) => a.name === 'description')?.content, name).toBeTruthy();
    }
  });

  it('renders the same bytes for the same input', () => {
    // Prepare
    const site = makeSite();
    const post = makePost();

    // Act
    const first = renderEveryPage(site, post);
    const second = renderEveryPage(makeSite(), makePost());

    // Assess
    expect(second).toEqual(first);
  });
});

describe('the site frame', () => {
  it('links Subscribe in the header to the subscribe page and the feeds in the footer on every page', () => {
    // Act
    const pages = renderEveryPage(makeSite(), makePost());

    // Assess
    for (const [name, page] of Object.entries(pages)) {
      expect.soft(page, name).toContain('<li><a href="https://notes.example/blog/subscribe/">Subscribe</a></li>');
      expect.soft(page, name).toContain('<nav id="feeds" aria-label="Feeds">');
      expect
        .soft(page, name)
        .toContain('<a href="https://notes.example/blog/feed.xml" type="application/rss+xml">RSS</a>');
    }
  });

  it('offers the subscribe form in the footer only when the site sends mail', () => {
    // Prepare
    const mail = { from: 'news@notes.example', fromName: 'Field Notes', postalAddress: '1 Main St' };

    // Act
    const without = renderEveryPage(makeSite(), makePost());
    const withMail = renderEveryPage(makeSite({ mail }), makePost());

    // Assess
    for (const [name, page] of Object.entries(without)) expect.soft(page, name).not.toContain('<form');
    for (const [name, page] of Object.entries(withMail)) {
      expect
        .soft(findTags(page, 'form'), name)
        .toEqual([{ class: 'subscribe-form', method: 'post', action: 'https://notes.example/blog/api/subscribe' }]);
      expect.soft(page.indexOf('<form'), name).toBeGreaterThan(page.indexOf('<footer'));
    }
  });
});

describe('renderPostPage', () => {
  it('shows the date in the site time zone with the instant in the time element', () => {
    // Prepare: 23:30 UTC on 30 November is already 1 December in Berlin.
    const post = makePost({ date: '2024-11-30T23:30:00Z', updated: '2024-12-03T08:00:00.000Z' });

    // Act
    const page = renderPostPage(post, makeSite(), { months: [{ month: '2024-12', count: 1 }] });

    // Assess
    expect(page).toContain('<time datetime="2024-11-30T23:30:00.000Z">December 1, 2024</time>');
    expect(page).toContain('Updated <time datetime="2024-12-03T08:00:00.000Z">December 3, 2024</time>');
    expect(page).toContain('<a href="https://notes.example/blog/archive/2024/12/">More from December 2024</a>');
  });

  it('formats dates in the site language', () => {
    // Prepare
    const site = makeSite({ language: 'de' });

    // Act
    const page = renderPostPage(makePost(), site, { months: [] });

    // Assess
    expect(page).toContain('>14. November 2024</time>');
  });

  it('omits the updated date when the post was never edited', () => {
    // Prepare
    const post = makePost();

    // Act
    const page = renderPostPage(post, makeSite(), { months: [] });

    // Assess
    expect(page).not.toContain('Updated');
    expect(findTags(page, 'meta').some((a) => a.property === 'article:modified_time')).toBe(false);
  });

  it('inserts the sanitized body as-is and links home', () => {
    // Prepare
    const post = makePost({ html: '<figure><img src="https://notes.example/a.png" alt="A"></figure>' });

    // Act
    const page = renderPostPage(post, makeSite(), { months: [] });

    // Assess
    expect(page).toContain('<figure><img src="https://notes.example/a.png" alt="A"></figure>');
    expect(page).toContain('<a href="https://notes.example/blog/">← Latest posts</a>');
  });

  it('falls back to the archive link when the post month is not in the archive list', () => {
    // Prepare
    const post = makePost({ date: '2024-11-14T09:30:00.000Z' });

    // Act
    const page = renderPostPage(post, makeSite(), { months: [{ month: '2024-10', count: 1 }] });

    // Assess
    expect(page).not.toContain('archive/2024/11/');
    expect(page).toContain('<a href="https://notes.example/blog/archive/">Archive</a>');
  });

  it('links authors with web addresses only and lists them in the site language', () => {
    // Prepare
    const post = makePost({
      authors: [
        { name: 'Ada', url: 'https://ada.example/' },
        { name: 'Bob', url: 'javascript:alert(1)' },
        { name: 'Cy' },
      ],
    });

    // Act
    const page = renderPostPage(post, makeSite(), { months: [] });

    // Assess
    expect(page).toContain('By <a href="https://ada.example/" rel="author">Ada</a>, Bob, and Cy</span>');
    expect(page).not.toContain('javascript:');
  });

  it('describes the post for link previews with OpenGraph', () => {
    // Prepare
    const post = makePost({ image: 'https://notes.example/cover.png', tags: ['a', 'b'] });

    // Act
    const meta = findTags(renderPostPage(post, makeSite(), { months: [] }), 'meta');

    // Assess
    const og = Object.fromEntries(
      meta.filter((a) => a.property?.startsWith('og:')).map((a) => [a.property ?? '', a.content ?? '']),
    );
    expect(og).toEqual({
      'og:type': 'article',
      'og:site_name': 'Field Notes',
      'og:title': 'Hello, world',
      'og:description': 'The first post.',
      'og:url': 'https://notes.example/blog/posts/hello/',
      'og:image': 'https://notes.example/cover.png',
    });
    expect(meta.filter((a) => a.property === 'article:tag').map((a) => a.content)).toEqual(['a', 'b']);
  });

  it('uses the configured permalink as the canonical URL', () => {
    // Prepare
    const post = makePost({ url: 'https://blog.example/2024/11/hello/' });

    // Act
    const page = renderPostPage(post, makeSite(), { months: [] });

    // Assess
    expect(findTags(page, 'link').find((a) => a.rel === 'canonical')?.href).toBe('https://blog.example/2024/11/hello/');
  });

  it('names the post when its date is not an ISO date', () => {
    // Prepare
    const post = makePost({ slug: 'broken', date: 'yesterday' });

    // Act
    const render = () => renderPostPage(post, makeSite(), { months: [] });

    // Assess
    expect(render).toThrow(/post "broken".*"yesterday"/);
  });
});

describe('renderIndexPage', () => {
  const NOVEMBER = ['2024-11-20T10:00:00.000Z', '2024-11-10T10:00:00.000Z', '2024-11-02T10:00:00.000Z'] as const;

  it('lists posts newest first with a read-more link to each post page', () => {
    // Prepare
    const posts = [
      makeSummary({ slug: 'older', title: 'Older', date: NOVEMBER[1] }),
      makeSummary({ slug: 'newer', title: 'Newer', date: NOVEMBER[0] }),
    ];

    // Act
    const page = renderIndexPage(posts, [{ month: '2024-11', count: 2 }], makeSite());

    // Assess
    const titles = [...page.matchAll(/<h2><a href="([^"]+)">([^<]+)<\/a><\/h2>/g)].map((m) => [m[1], m[2]]);
    expect(titles).toEqual([
      [siteUrl(makeSite(), postPagePath('newer')), 'Newer'],
      [siteUrl(makeSite(), postPagePath('older')), 'Older'],
    ]);
    expect(page).toContain(
      '<a href="https://notes.example/blog/posts/newer/">Read more<span class="visually-hidden">: Newer</span></a>',
    );
  });

  it('leads "Older posts" to the month of the oldest listed post when that month has more posts', () => {
    // Prepare
    const posts = [makeSummary({ slug: 'a', date: NOVEMBER[0] }), makeSummary({ slug: 'b', date: NOVEMBER[1] })];

    // Act
    const page = renderIndexPage(posts, makeMonths(), makeSite());

    // Assess
    expect(hrefsOf(page, 'next')).toEqual([siteUrl(makeSite(), monthPagePath('2024-11'))]);
  });

  it('leads "Older posts" to the next older month when the oldest listed month is complete', () => {
    // Prepare
    const posts = NOVEMBER.map((date, i) => makeSummary({ slug: `p${i}`, date }));

    // Act
    const page = renderIndexPage(posts, makeMonths(), makeSite());

    // Assess
    expect(hrefsOf(page, 'next')).toEqual(['https://notes.example/blog/archive/2024/09/']);
  });

  it('leaves out "Older posts" when every post is listed but keeps the archive link', () => {
    // Prepare
    const posts = NOVEMBER.map((date, i) => makeSummary({ slug: `p${i}`, date }));

    // Act
    const page = renderIndexPage(posts, [{ month: '2024-11', count: 3 }], makeSite());

    // Assess
    expect(hrefsOf(page, 'next')).toEqual([]);
    expect(page).not.toContain('Older posts');
    expect(page).toContain(`<a href="${siteUrl(makeSite(), SITE_FILES.archive)}">Full archive</a>`);
  });

  it('says so when nothing is published', () => {
    // Act
    const page = renderIndexPage([], [], makeSite());

    // Assess
    expect(page).toContain('Nothing has been published yet.');
    expect(page).not.toContain('<ul class="post-list">');
  });

  it('renders the same page whatever order the posts come in', () => {
    // Prepare
    const posts = () => NOVEMBER.map((date, i) => makeSummary({ slug: `p${i}`, title: `Post ${i}`, date }));
    const tied = () => [makeSummary({ slug: 'x', date: NOVEMBER[0] }), makeSummary({ slug: 'y', date: NOVEMBER[0] })];

    // Act
    const forward = renderIndexPage(posts(), makeMonths(), makeSite());
    const backward = renderIndexPage(posts().reverse(), makeMonths(), makeSite());
    const tiedForward = renderIndexPage(tied(), makeMonths(), makeSite());
    const tiedBackward = renderIndexPage(tied().reverse(), makeMonths(), makeSite());

    // Assess
    expect(backward).toBe(forward);
    expect(tiedBackward).toBe(tiedForward);
  });
});

describe('renderMonthPage', () => {
  const MONTHS = (): MonthRef[] => [
    { month: '2024-12', count: 2 },
    { month: '2024-11', count: 3 },
    { month: '2023-09', count: 1 },
  ];
  const monthUrl = (month: string) => siteUrl(makeSite(), monthPagePath(month));

  it.each([
    { at: 'newest', month: '2024-12', newer: [], older: ['2024-11'] },
    { at: 'middle', month: '2024-11', newer: ['2024-12'], older: ['2023-09'] },
    { at: 'oldest', month: '2023-09', newer: ['2024-11'], older: [] },
    { at: 'unlisted', month: '2024-01', newer: ['2024-11'], older: ['2023-09'] },
  ])('links to the neighbouring months at the $at month', ({ month, newer, older }) => {
    // Prepare
    const posts = [makeSummary({ date: `${month}-15T12:00:00.000Z` })];

    // Act
    const page = renderMonthPage(month, posts, MONTHS(), makeSite());

    // Assess
    expect(hrefsOf(page, 'prev')).toEqual(newer.map(monthUrl));
    expect(hrefsOf(page, 'next')).toEqual(older.map(monthUrl));
  });

  it('finds the neighbours even when the months come unsorted', () => {
    // Prepare
    const months = MONTHS().reverse();

    // Act
    const page = renderMonthPage('2024-11', [], months, makeSite());

    // Assess
    expect(hrefsOf(page, 'prev')).toEqual([monthUrl('2024-12')]);
    expect(hrefsOf(page, 'next')).toEqual([monthUrl('2023-09')]);
  });

  it('titles the page with the month name and links to the archive', () => {
    // Act
    const page = renderMonthPage('2024-11', [], MONTHS(), makeSite());

    // Assess
    expect(page).toContain('<title>November 2024 · Archive · Field Notes</title>');
    expect(page).toContain('<h1>November 2024</h1>');
    expect(page).toContain(`<a href="${siteUrl(makeSite(), SITE_FILES.archive)}">Archive</a>`);
    expect(findTags(page, 'link').find((a) => a.rel === 'canonical')?.href).toBe(monthUrl('2024-11'));
  });

  it('rejects a month key that is not YYYY-MM', () => {
    // Act
    const render = () => renderMonthPage('2024-13', [], MONTHS(), makeSite());

    // Assess
    expect(render).toThrow(RangeError);
  });
});

describe('renderArchivePage', () => {
  it('groups months by year, newest first, with their post counts', () => {
    // Prepare
    const months: MonthRef[] = [
      { month: '2023-02', count: 1 },
      { month: '2024-11', count: 3 },
      { month: '2024-01', count: 2 },
    ];

    // Act
    const page = renderArchivePage(months, makeSite());

    // Assess
    const years = [...page.matchAll(/<h2 id="year-(\d{4})">/g)].map((m) => m[1]);
    const entries = [...page.matchAll(/<li><a href="([^"]+)">(\w+)<\/a> <span class="count">([^<]+)<\/span>/g)].map(
      (m) => [m[1], m[2], m[3]],
    );
    expect(years).toEqual(['2024', '2023']);
    expect(entries).toEqual([
      ['https://notes.example/blog/archive/2024/11/', 'November', '3 posts'],
      ['https://notes.example/blog/archive/2024/01/', 'January', '2 posts'],
      ['https://notes.example/blog/archive/2023/02/', 'February', '1 post'],
    ]);
    expect(page).toContain('6 posts since February 2023.');
  });

  it('marks the archive as the current page in the site navigation', () => {
    // Act
    const page = renderArchivePage([], makeSite());

    // Assess
    expect(page).toContain('<a href="https://notes.example/blog/archive/" aria-current="page">Archive</a>');
    expect(page).toContain('Nothing has been published yet.');
  });
});
