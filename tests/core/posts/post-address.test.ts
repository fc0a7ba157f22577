import { describe, expect, it } from 'vitest';
import { postUrl, unsafeAddress } from '../../../functions/core/paths.ts';
import { parsePost } from '../../../functions/core/posts/parse-post.ts';
import {
  absoluteId,
  aliasesOf,
  generatorIdOf,
  oldSiteRoot,
  postAddressOf,
} from '../../../functions/core/posts/post-address.ts';
import { EMPTY_CONTENT } from '../../../functions/core/posts/templating/template-context.ts';
import { parseSiteConfig } from '../../../functions/core/site-config.ts';

/*
 * Expected addresses and ids were measured with Debian's jekyll 4.3.1 (+ jekyll-feed 0.17) and hugo 0.111.3 on
 * small sites written for this test (TZ=UTC).
 */

const jekyll = (config: Record<string, unknown>) => ({ jekyll: config, generator: 'jekyll' as const });
const hugo = (config: Record<string, unknown>, contentDirs = ['content']) => ({
  jekyll: {},
  hugoConfig: config,
  hugo: { contentDirs },
  generator: 'hugo' as const,
});
const date = new Date('2019-10-25T12:00:00Z');

describe('postAddressOf for a Jekyll site', () => {
  it.each([
    // [permalink setting, source, front matter, path, id]
    [undefined, '_posts/2019-10-25-hello.md', {}, '/2019/10/25/hello.html', '/2019/10/25/hello'],
    ['pretty', '_posts/2019-10-25-hello.md', {}, '/2019/10/25/hello/', '/2019/10/25/hello'],
    ['none', '_posts/2019-10-25-hello.md', { categories: 'Go Rust' }, '/go/rust/hello.html', '/go/rust/hello'],
    ['ordinal', '_posts/2019-10-25-hello.md', {}, '/2019/298/hello.html', '/2019/298/hello'],
    ['/:year/:title:output_ext', '_posts/2019-10-25-Hello_There.md', {}, '/2019/Hello_There.html', '/2019/Hello_There'],
    [
      '/:categories/:year/:month/:title',
      '_posts/2019-10-25-My_File.md',
      { categories: ['News', 'Big Things'] },
      '/news/big%20things/2019/10/My_File/',
      '/news/big%20things/2019/10/My_File',
    ],
    [
      '/:categories/:year/:month/:title',
      '_posts/2019-10-26-second.md',
      { slug: 'Custom Slug', category: 'one' },
      '/one/2019/10/Custom-Slug/',
      '/one/2019/10/Custom%20Slug',
    ],
    [
      '/:categories/:year/:month/:title',
      '_posts/2019-10-27-third.md',
      { permalink: '/custom/:year/path.html' },
      '/custom/2019/path.html',
      '/custom/2019/third',
    ],
    [
      '/:categories/:year/:month/:title',
      'blog/_posts/2019-10-28-fourth.md',
      {},
      '/blog/2019/10/fourth/',
      '/blog/2019/10/fourth',
    ],
  ])('permalink %s: %s is at %s', (permalink, sourcePath, data, path, id) => {
    // Act
    const address = postAddressOf(
      { sourcePath, data, title: 'T', date },
      jekyll(permalink ? { permalink } : {}),
      'jekyll',
      'UTC',
    );
    // Assess
    expect(address).toMatchObject({ path, generatorId: id });
  });

  it('redirects the .html name Jekyll wrote for an address with no extension to the folder it is published as', () => {
    // Act
    const address = postAddressOf(
      { sourcePath: '_posts/2019-10-25-hello.md', data: {}, title: 'T', date },
      jekyll({ permalink: '/:year/:title' }),
      'jekyll',
      'UTC',
    );
    // Assess
    expect(address).toEqual({ path: '/2019/hello/', generatorId: '/2019/hello', alsoAt: ['/2019/hello.html'] });
  });

  it('applies front matter defaults, the most specific scope winning', () => {
    // Prepare
    const config = {
      permalink: '/:year/:title/',
      defaults: [
        { scope: { path: '' }, values: { permalink: '/all/:title/' } },
        { scope: { path: 'blog', type: 'posts' }, values: { permalink: '/b/:title/' } },
        { scope: { path: '', type: 'pages' }, values: { permalink: '/pages/:title/' } },
      ],
    };
    // Act
    const inBlog = postAddressOf(
      { sourcePath: 'blog/_posts/2019-10-28-fourth.md', data: {}, title: 'T', date },
      jekyll(config),
      'jekyll',
      'UTC',
    );
    const elsewhere = postAddressOf(
      { sourcePath: '_posts/2019-10-28-fifth.md', data: {}, title: 'T', date },
      jekyll(config),
      'jekyll',
      'UTC',
    );
    // Assess
    expect(inBlog?.path).toBe('/b/fourth/');
    expect(elsewhere?.path).toBe('/all/fifth/');
  });

  it("dates the address in _config.yml's time zone", () => {
    // Act
    const address = postAddressOf(
      { sourcePath: '_posts/2023-01-29-moved.md', data: {}, title: 'Moved', date: new Date('2023-01-30T02:30:22Z') },
      jekyll({ timezone: 'America/Los_Angeles' }),
      'jekyll',
      'UTC',
    );
    // Assess
    expect(address?.path).toBe('/2023/01/29/moved.html');
  });
});

describe('postAddressOf for a Hugo site', () => {
  const permalinks = { blog: '/:section/:year/:month/:slug/', posts: '/:year/:filename/:slugorfilename/:monthname/' };
  it.each([
    ['content/blog/My_File.md', { title: 'Hello World: Again' }, '/blog/2019/10/hello-world-again/'],
    ['content/blog/second.md', { slug: 'Custom Slug' }, '/blog/2019/10/custom-slug/'],
    ['content/blog/third.md', { url: '/blog/2021/foo' }, '/blog/2021/foo/'],
    ['content/posts/bund/index.md', {}, '/2019/bund/bund/october/'],
    ['content/posts/c.md', { slug: 'sl' }, '/2019/c/sl/october/'],
    ['content/notes/Some Note.md', {}, '/notes/some-note/'],
    ['content/blog/grpc-1.0.md', { url: '/blog/grpc-1.0/' }, '/blog/grpc-1.0/'],
  ])('%s is at %s', (sourcePath, data, path) => {
    // Act
    const address = postAddressOf(
      { sourcePath, data, title: String((data as { title?: string }).title ?? 'Untitled'), date },
      hugo({ permalinks }),
      'hugo',
      'UTC',
    );
    // Assess
    expect(address).toEqual({ path, generatorId: path });
  });

  it.each([
    ['Tips & Tricks', '/2020/tips-tricks/'],
    ['C++ Notes', '/2020/c-notes/'],
    ['Café Time', '/2020/caf%C3%A9-time/'],
    ['Hello, World: Ünïcode & C++ #1', '/2020/hello-world-%C3%BCn%C3%AFcode-c-#1/'],
    ['Node.js 1.2', '/2020/node.js-1.2/'],
    ['a  b -- c', '/2020/a-b--c/'],
    ['  lead', '/2020/lead/'],
    ['x@y~z_w', '/2020/x@y~z_w/'],
    ['50% off', '/2020/50-off/'],
    ['Q? yes!', '/2020/q-yes/'],
    ['Dash - dash', '/2020/dash-dash/'],
    ['Node.js + Deno', '/2020/node.js--deno/'],
  ])('sanitizes the title %j as Hugo 0.111 does for :slug', (title, path) => {
    // Act
    const address = postAddressOf(
      { sourcePath: 'content/posts/p.md', data: {}, title, date: new Date('2020-01-05T00:00:00Z') },
      hugo({ permalinks: { posts: '/:year/:slug/' } }),
      'hugo',
      'UTC',
    );
    // Assess
    expect(address?.path).toBe(path);
  });

  it('keeps + in a path Hugo builds from a file or slug without a permalink rule', () => {
    // Act
    const address = postAddressOf(
      { sourcePath: 'content/my-notes/g.md', data: { slug: 'Go + Rust!' }, title: 'G', date },
      hugo({}),
      'hugo',
      'UTC',
    );
    // Assess: measured with Debian's hugo 0.111.3.
    expect(address?.path).toBe('/my-notes/go-+-rust/');
  });

  it('keeps a url whose last segment has a dot as that page, as Hugo writes it', () => {
    // Act
    const address = postAddressOf(
      { sourcePath: 'content/posts/v.md', data: { url: '/notes/v1.2' }, title: 'V', date },
      hugo({}),
      'hugo',
      'UTC',
    );
    // Assess
    expect(address?.path).toBe('/notes/v1.2');
  });

  it('keeps the case of a url from the front matter', () => {
    // Act
    const address = postAddressOf(
      { sourcePath: 'content/posts/u.md', data: { url: 'custom/Path' }, title: 'U', date },
      hugo({}),
      'hugo',
      'UTC',
    );
    // Assess
    expect(address?.path).toBe('/custom/Path/');
  });

  it('reads content folders mounted as content, and uglyURLs', () => {
    // Act
    const address = postAddressOf(
      { sourcePath: 'content/en/blog/note.md', data: {}, title: 'Note', date },
      { ...hugo({ uglyurls: true }, ['content/en']), hugo: { contentDirs: ['content/en'], uglyURLs: true } },
      'hugo',
      'UTC',
    );
    // Assess
    expect(address?.path).toBe('/blog/note.html');
  });
});

describe('aliasesOf', () => {
  it('takes Hugo aliases from the folder of the page, and redirect_from from the root', () => {
    // Act
    const hugoAliases = aliasesOf(
      { aliases: ['relold', '../up/x', '/Abs Upper/', '/old/two.html'] },
      '/blog/2019/10/rel/',
      'hugo',
      'a.md',
    );
    const jekyllAliases = aliasesOf({ redirect_from: ['old/x', '/old/y.html'] }, '/2019/post/', 'jekyll', 'b.md');
    // Assess
    expect(hugoAliases).toEqual({
      aliases: ['/blog/2019/10/relold/', '/blog/2019/up/x/', '/Abs%20Upper/', '/old/two.html'],
      problems: [],
    });
    // jekyll-redirect-from wrote `/old/x` as old/x.html, which hosts serve at both names.
    expect(jekyllAliases.aliases).toEqual(['/old/x.html', '/old/x/', '/old/y.html']);
  });

  it('leaves out an address on another host, with a warning naming it', () => {
    // Act
    const result = aliasesOf(
      { aliases: ['https://elsewhere.example/x', '//evil.example/', '/ok/'] },
      '/p/',
      'hugo',
      'a.md',
    );
    // Assess
    expect(result.aliases).toEqual(['/ok/']);
    expect(result.problems.map((problem) => [problem.field, problem.severity])).toEqual([
      ['aliases', 'warning'],
      ['aliases', 'warning'],
    ]);
    expect(result.problems[0]?.message).toContain('https://elsewhere.example/x');
  });
});

describe('the old site root of generator ids', () => {
  it('is url + baseurl of _config.yml, the Hugo baseURL, or this site', () => {
    // Act
    const fromJekyll = oldSiteRoot(
      { baseUrl: 'https://new.example/' },
      { jekyll: { url: 'https://old.example', baseurl: '/sub' }, generator: 'jekyll' },
    );
    const fromHugo = oldSiteRoot(
      { baseUrl: 'https://new.example/' },
      { jekyll: {}, hugo: { baseURL: 'https://h.example', contentDirs: [] }, generator: 'hugo' },
    );
    const relativeHugo = oldSiteRoot(
      { baseUrl: 'https://new.example/' },
      { jekyll: {}, hugo: { baseURL: '/', contentDirs: [] }, generator: 'hugo' },
    );
    const companion = oldSiteRoot(
      { baseUrl: 'https://new.example/', siteUrl: 'https://mine.example/' },
      { jekyll: { url: 'https://old.example' }, generator: 'jekyll' },
    );
    // Assess
    expect(absoluteId(fromJekyll, '/one/2019/10/Custom%20Slug')).toBe(
      'https://old.example/sub/one/2019/10/Custom%20Slug',
    );
    expect(fromHugo).toBe('https://h.example/');
    expect(relativeHugo).toBe('https://new.example/');
    expect(companion).toBe('https://mine.example/');
  });
});

describe('addresses and ids as jekyll-feed writes them', () => {
  it('keeps a dotted last segment as the page file, and joins url and id as strings', () => {
    // Act
    const address = postAddressOf(
      { sourcePath: 'blog/_posts/2018-07-03-iterators-0.7.md', data: {}, title: 'T', date },
      jekyll({ permalink: '/:categories/:year/:month/:title' }),
      'jekyll',
      'UTC',
    );
    const id = generatorIdOf(
      { baseUrl: 'https://new.example/' },
      { jekyll: { url: 'https://old.example/', baseurl: '' }, generator: 'jekyll' },
      '/2026/Beta',
    );
    // Assess
    expect(address?.path).toBe('/blog/2019/10/iterators-0.7');
    expect(id).toBe('https://old.example//2026/Beta');
  });
});

describe('parsePost in a moved site', () => {
  it('takes the slug as written into the address, without saying how it would have been cleaned', () => {
    // Prepare
    const site = parseSiteConfig({ title: 'T', baseUrl: 'https://new.example/' });
    const bytes = new TextEncoder().encode('---\ntitle: Hi\nslug: Hello World!\n---\n\nText.\n');

    // Act
    const { post, problems } = parsePost({ sourcePath: '_posts/2024-01-05-hi.md', bytes }, site, {
      ...EMPTY_CONTENT,
      jekyll: { permalink: '/:year/:title:output_ext' },
      generator: 'jekyll',
    });

    // Assess: measured with Debian's jekyll 4.3.1.
    expect(post?.url).toBe('https://new.example/2024/Hello-World!.html');
    expect(problems).toEqual([]);
  });
});

describe('unsafeAddress', () => {
  it.each([
    ['/a/%2e%2e/b/', 'it has a "." or ".." segment once decoded'],
    ['/javascript:alert(1)/x/', 'it starts like an address on another site (a scheme:)'],
    ['/https:/evil.example/x/', 'it starts like an address on another site (a scheme:)'],
    ['/a//b/', 'it has an empty segment (//)'],
    ['/a/%5cb/', 'it has a backslash or a control character once decoded'],
    ['/2024/ok:fine/', undefined],
    ['/blog/julia-0.7', undefined],
  ])('%s: %s', (address, reason) => {
    // Act, Assess
    expect(unsafeAddress(address)).toBe(reason);
  });

  it('resolves a kept address as a path even where a segment looks like a scheme', () => {
    // Act, Assess
    expect(postUrl({ baseUrl: 'https://a.example/', timeZone: 'UTC' }, '/2024/ok:fine/', date)).toBe(
      'https://a.example/2024/ok:fine/',
    );
  });
});
