import { describe, expect, it } from 'vitest';
import { hugoPagePath } from '../../../../functions/core/posts/templating/hugo-page-url.ts';
import { jekyllPagePath } from '../../../../functions/core/posts/templating/jekyll-page-url.ts';
import {
  createPageLinker,
  mergePageLinkWarnings,
  siteAddressOf,
} from '../../../../functions/core/posts/templating/page-links.ts';
import type { ContentContext, TemplateContext } from '../../../../functions/core/posts/templating/template-context.ts';

const context = (
  content: Partial<ContentContext> = {},
  site: Partial<TemplateContext['site']> = {},
  sourcePath = '_posts/2024-03-01-a.md',
): TemplateContext => ({
  site: { baseUrl: 'https://news.example/letters/', title: 'Notes', description: '', iframeHosts: [], ...site },
  pageTitle: 'A post',
  page: { sourcePath, params: {} },
  content: {
    params: {},
    jekyll: {},
    shortcodes: {},
    sources: ['_posts/2024-03-01-a.md', '_posts/2023-01-18-first-steps.md'],
    ...content,
  },
});

describe('jekyllPagePath', () => {
  // Each row as Debian's jekyll 4.3.1 builds it (checked on a small site with these pages and settings).
  it.each([
    ['about.md', {}, '/about.html'],
    ['docs/index.md', {}, '/docs/'],
    ['docs/install.markdown', {}, '/docs/install.html'],
    ['raw.html', {}, '/raw.html'],
    ['assets/vm.yaml', {}, '/assets/vm.yaml'],
    ['about.md', { permalink: 'pretty' }, '/about/'],
    ['docs/index.md', { permalink: 'pretty' }, '/docs/'],
    ['about.md', { permalink: 'none' }, '/about.html'],
    ['about.md', { permalink: '/:year/:month/:day/:title.html' }, '/about'],
    ['labs/kubernetes/lab1.md', { permalink: '/:year/:title:output_ext' }, '/labs/kubernetes/lab1.html'],
    ['about.md', { permalink: '/:categories/:title/' }, '/about/'],
    ['_docs/history.md', {}, '/docs/history.html'],
    ['_docs/sub/deep.md', { permalink: 'pretty' }, '/docs/sub/deep/'],
    ['_docs/history.md', { permalink: '/:year/:month/:day/:title.html' }, '/docs/history'],
    ['_guides/start.md', { collections: { guides: { output: true, permalink: '/g/:name/' } } }, '/g/start/'],
    ['_guides/Getting Started.md', { collections: { guides: { permalink: '/g/:title/' } } }, '/g/Getting-Started/'],
    ['_docs/history.md', { collections_dir: 'my', collections: ['docs'] }, '/docs/history.html'],
  ])('puts %s with %j at %s', (path, config, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const found = jekyllPagePath(path, config);
    // Assess
    expect(found).toBe(expected);
  });
});

describe('hugoPagePath', () => {
  // Each row as Debian's hugo 0.111.3 resolves it (relref on a small site with these pages).
  it.each([
    ['downloads', {}, '/downloads/'],
    ['/docs/install', {}, '/docs/install/'],
    ['/docs', {}, '/docs/'],
    ['/docs/_index.md', {}, '/docs/'],
    ['docs/reference.md', {}, '/docs/reference/'],
    ['/docs/install/index.md', {}, '/docs/install/'],
    ['/About/Our Team.md', {}, '/about/our-team/'],
    ['/docs/reference', { uglyURLs: true }, '/docs/reference.html'],
    ['/docs/_index.md', { uglyURLs: true }, '/docs.html'],
    ['../community', {}, '/community/'],
    ['./related', {}, '/blog/related/'],
  ])('puts %s with %j at %s', (target, settings, expected) => {
    // Prepare
    const hugo = { contentDirs: ['content/en'], ...settings };
    // Act
    const found = hugoPagePath(target, 'content/en/blog/a.md', hugo);
    // Assess
    expect(found).toBe(expected);
  });
});

describe('siteAddressOf', () => {
  it.each([
    [
      'url and baseurl of _config.yml',
      { jekyll: { url: 'https://kubevirt.example/', baseurl: '/site' } },
      {},
      'https://kubevirt.example/site/',
    ],
    ['url alone', { jekyll: { url: 'https://kubevirt.example' } }, {}, 'https://kubevirt.example/'],
    [
      'baseURL of the Hugo config',
      { hugo: { baseURL: 'https://grpc.example/docs', contentDirs: [] } },
      {},
      'https://grpc.example/docs/',
    ],
    [
      'siteUrl before both',
      { jekyll: { url: 'https://old.example' } },
      { siteUrl: 'https://blog.example/' },
      'https://blog.example/',
    ],
    ['nothing from a url that is not absolute', { jekyll: { url: 'localhost:4000' } }, {}, undefined],
  ])('takes %s', (_name, content, site, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const address = siteAddressOf(context(content, site), 'jekyll');
    // Assess
    expect(address).toBe(expected);
  });
});

describe('createPageLinker', () => {
  const jekyllLink = (target: string, line = 1) => ({
    target,
    generator: 'jekyll' as const,
    written: `{% link ${target} %}`,
    line,
  });

  it('links another post to its page here, without a warning', () => {
    // Prepare
    const link = createPageLinker(context());
    // Act
    const linked = link(jekyllLink('_posts/2023-01-18-first-steps.md'));
    // Assess
    expect(linked).toEqual({ url: 'https://news.example/letters/posts/first-steps/', problems: [] });
  });

  it('links a page that is not a post to its page on the site, with a warning naming the URL', () => {
    // Prepare
    const link = createPageLinker(context({ jekyll: { url: 'https://blog.example', baseurl: '/b' } }));
    // Act
    const linked = link(jekyllLink('about.md', 4));
    // Assess
    expect(linked.url).toBe('https://blog.example/b/about.html');
    expect(linked.problems).toEqual([
      {
        line: 4,
        message:
          '{% link about.md %} is not a post: linked to its page on your site, https://blog.example/b/about.html.',
        fix: expect.stringMatching(/upload it beside the posts/),
        severity: 'warning',
      },
    ]);
  });

  it('warns once per target, however often the post links it', () => {
    // Prepare
    const link = createPageLinker(context({ jekyll: { url: 'https://blog.example' } }));
    // Act
    const all = [
      link(jekyllLink('about.md', 1)),
      link(jekyllLink('about.md', 5)),
      link(jekyllLink('docs/index.md', 7)),
    ];
    // Assess
    expect(all.map((linked) => linked.url)).toEqual([
      'https://blog.example/about.html',
      'https://blog.example/about.html',
      'https://blog.example/docs/',
    ]);
    expect(all.flatMap((linked) => linked.problems).map((problem) => problem.line)).toEqual([1, 7]);
  });

  it('links relative to this site and says so when no address of the author’s site is known', () => {
    // Prepare
    const link = createPageLinker(context());
    // Act
    const linked = link(jekyllLink('about.md'));
    // Assess
    expect(linked.url).toBe('https://news.example/letters/about.html');
    expect(linked.problems[0]?.message).toMatch(
      /address of your own site is not known.*relative to this site's baseUrl/,
    );
    expect(linked.problems[0]?.fix).toMatch(/siteUrl/);
  });

  it('keeps a missing post in _posts an error: it names a post, most likely mistyped', () => {
    // Prepare
    const link = createPageLinker(context({ jekyll: { url: 'https://blog.example' } }));
    // Act
    const linked = link(jekyllLink('_posts/2020-01-01-nowhere.md', 2));
    // Assess
    expect(linked.problems).toEqual([expect.objectContaining({ line: 2, severity: 'error' })]);
  });

  it('takes a Jekyll path outside _posts for a page even where the posts are not known', () => {
    // Prepare
    const unknownPosts = { ...context({ jekyll: { url: 'https://blog.example' } }) };
    const { sources: _sources, ...content } = unknownPosts.content as ContentContext;
    const link = createPageLinker({ ...unknownPosts, content });
    // Act
    const page = link(jekyllLink('about.md'));
    const post = link(jekyllLink('_posts/2019-05-05-any.md'));
    // Assess
    expect(page.url).toBe('https://blog.example/about.html');
    expect(post).toEqual({ url: 'https://news.example/letters/posts/any/', problems: [] });
  });

  it('links an uploaded file to its published copy here', () => {
    // Prepare
    const link = createPageLinker(context({ files: ['assets/vm.yaml'], jekyll: { url: 'https://blog.example' } }));
    // Act
    const linked = link(jekyllLink('assets/vm.yaml'));
    // Assess
    expect(linked).toEqual({ url: 'https://news.example/letters/posts/assets/vm.yaml', problems: [] });
  });

  it('makes a Hugo relref to a section absolute on the site, anchor kept', () => {
    // Prepare
    const hugo = { baseURL: 'https://grpc.example/', contentDirs: ['content/en'] };
    const link = createPageLinker(context({ hugo, sources: ['content/en/blog/a.md'] }, {}, 'content/en/blog/a.md'));
    // Act
    const linked = link({
      target: '/docs/_index.md#start',
      generator: 'hugo',
      written: '{{< relref "/docs" >}}',
      line: 3,
    });
    // Assess
    expect(linked.url).toBe('https://grpc.example/docs/#start');
    expect(linked.problems).toHaveLength(1);
  });
});

describe('mergePageLinkWarnings', () => {
  const linked = (written: string, line: number, url: string) => ({
    line,
    message: `${written} is not a post: linked to its page on your site, ${url}.`,
    fix: 'Nothing to do if the page is there.',
    severity: 'warning' as const,
  });

  it('makes one line of a post’s links to pages, naming each, and leaves other problems alone', () => {
    // Prepare
    const other = {
      line: 2,
      message: 'A script element was removed from the post.',
      fix: 'x',
      severity: 'warning' as const,
    };
    const problems = [
      linked('{% link labs/one.md %}', 4, 'https://a.example/labs/one'),
      other,
      linked('{% link labs/two.md %}', 9, 'https://a.example/labs/two'),
    ];
    // Act
    const merged = mergePageLinkWarnings(problems);
    // Assess
    expect(merged).toEqual([
      other,
      {
        ...problems[0],
        message:
          '2 links name pages that are not posts, so they are linked to those pages on your site: {% link labs/one.md %} (line 4) to https://a.example/labs/one; {% link labs/two.md %} (line 9) to https://a.example/labs/two.',
      },
    ]);
  });

  it('keeps a single link’s own warning', () => {
    // Prepare
    const problems = [linked('{% link about.md %}', 3, 'https://a.example/about.html')];
    // Act
    const merged = mergePageLinkWarnings(problems);
    // Assess
    expect(merged).toEqual(problems);
  });
});
