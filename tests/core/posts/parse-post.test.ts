import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parsePost,
  postSourceUrl,
  publicationState,
  slugFromPath,
  truncateText,
} from '../../../functions/core/posts/parse-post.ts';
import { EMPTY_CONTENT } from '../../../functions/core/posts/templating/template-context.ts';
import { parseSiteConfig } from '../../../functions/core/site-config.ts';
import type { Post, SiteConfig } from '../../../functions/core/types.ts';

const FIXTURES = new URL('../../fixtures/posts/', import.meta.url);
const CONTENT = new URL('../../../content/posts/', import.meta.url);

const makeSite = (overrides: Record<string, unknown> = {}): SiteConfig =>
  parseSiteConfig({ title: 'Field Notes', baseUrl: 'https://notes.example/', timeZone: 'Europe/Berlin', ...overrides });

/** Reads a fixture afresh for each test. */
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

const parseFixture = (name: string, site = makeSite()) => parsePost({ sourcePath: name, bytes: fixture(name) }, site);

const parseText = (sourcePath: string, text: string, site = makeSite()) =>
  parsePost({ sourcePath, bytes: new TextEncoder().encode(text) }, site);

const errorsOf = (result: ReturnType<typeof parsePost>) => result.problems.filter((p) => p.severity === 'error');

const listMarkdown = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return listMarkdown(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });

describe('parsePost on the sample content', () => {
  const root = CONTENT.pathname;
  const files = listMarkdown(root);

  it('has samples to parse', () => {
    // Assess
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files.map((path) => [relative(root, path)]))('parses %s without an error', (sourcePath) => {
    // Prepare
    const bytes = new Uint8Array(readFileSync(join(root, sourcePath)));
    // Act
    const result = parsePost({ sourcePath, bytes }, makeSite());
    // Assess
    expect(errorsOf(result)).toEqual([]);
    const outsideCode = result.post?.html.replace(/<code[\s\S]*?<\/code>/g, '');
    expect(outsideCode).toBeDefined();
    expect(outsideCode).not.toMatch(/\{\{|\{%|<script/);
  });

  it('covers every publication state', () => {
    // Prepare
    const now = new Date('2026-01-01T00:00:00Z');
    // Act
    const states = files.map((path) => {
      const result = parsePost({ sourcePath: relative(root, path), bytes: readFileSync(path) }, makeSite());
      return result.post ? publicationState(result.post, now) : 'none';
    });
    // Assess
    expect(new Set(states)).toEqual(new Set(['draft', 'scheduled', 'expired', 'live']));
  });
});

describe('parsePost on hostile input', () => {
  it.each([
    ['malformed YAML', 'malformed-yaml.md', { line: 4 }, /YAML front matter cannot be read/],
    ['malformed TOML', 'malformed-toml.md', { line: 4 }, /TOML front matter cannot be read/],
    ['an impossible date', 'impossible-date.md', { field: 'date', line: 3 }, /2024-02-30/],
    ['a file without front matter or a dated name', 'no-front-matter.md', { field: 'date' }, /no date/],
    ['an empty body', 'empty-body.md', { field: 'body', line: 5 }, /no text/],
    [
      'an unknown shortcode',
      'unknown-shortcode.md',
      { field: 'body', line: 8 },
      /"mystery" is not one Hugo has built in/,
    ],
    ['an unclosed Liquid tag', 'unclosed-liquid.md', { field: 'body', line: 8 }, /not closed/],
    ['a binary file', 'binary.md', {}, /binary/],
    ['Latin-1 bytes', 'latin1.md', {}, /not valid UTF-8/],
  ])('rejects %s with a located error', (_name, file, where, message) => {
    // Prepare: the fixture file.
    // Act
    const result = parseFixture(file);
    // Assess
    expect(result.post).toBeUndefined();
    const errors = errorsOf(result);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ file, ...where });
    expect(errors.map((p) => p.message).join('\n')).toMatch(message);
  });

  it('publishes a line garbled twice as it is, warning the author to retype it or re-save as UTF-8', () => {
    // Act
    const result = parseFixture('mojibake-double.md');
    // Assess
    expect(result.post).toBeDefined();
    expect(errorsOf(result)).toEqual([]);
    const warning = result.problems.find((problem) => /garbled/.test(problem.message));
    expect(warning).toMatchObject({ line: 6, severity: 'warning' });
    expect(warning?.fix).toMatch(/Retype.*UTF-8/);
  });

  it.each([
    ['a Windows-1252 skin tone whose byte was lost', 'Rock on ðŸ¤˜ðŸ\ufffd½!', 'Rock on 🤘🏽!', /read as "🤘🏽"/],
    ['a Windows-1254 joiner whose byte was lost', 'Dev ğŸ‘©â€\ufffdğŸ’» here', 'Dev 👩‍💻 here', /read as "👩‍💻"/],
    ['a closing quote whose last byte was dropped', 'He said â€œhiâ€ twice', 'He said “hi” twice', /read as "”"/],
    ['a Mac Roman skin tone beside the Apple logo', 'Ninja 🥷\uf8ffüèΩ', 'Ninja 🥷🏽', /repaired/],
    ['an accent that cannot be told', 'Ã\ufffd broken', 'broken', /U\+FFFD.*removed/],
  ])('publishes %s, with a warning naming the line', (_name, line, expected, message) => {
    // Prepare
    const text = `---\ntitle: Lost\ndate: 2024-11-14\n---\n\n${line}\n`;
    // Act
    const result = parseText('lost.md', text);
    // Assess
    expect(errorsOf(result)).toEqual([]);
    expect(result.post?.html.trim()).toBe(`<p>${expected}</p>`);
    expect(result.problems.some((p) => p.line === 6 && p.severity === 'warning' && message.test(p.message))).toBe(true);
    expect(result.post?.html).not.toMatch(/[\ufffd\uf8ff]/u);
  });

  it.each([
    ['a title with a line break', 'title: "One\\nTwo"', 'title'],
    ['a title with a control character', 'title: "Bell \\u0007"', 'title'],
    ['an empty title', 'title: ""', 'title'],
  ])('rejects %s, naming the field', (_name, titleLine, field) => {
    // Prepare
    const text = `---\n${titleLine}\ndate: 2024-11-14\n---\nBody`;
    // Act
    const result = parseText('t.md', text);
    // Assess
    expect(result.post).toBeUndefined();
    expect(errorsOf(result)).toEqual([expect.objectContaining({ file: 't.md', field, line: 2 })]);
  });

  it('reports front matter and body problems together', () => {
    // Prepare
    const text = '---\ntitle: T\ndate: 2024-02-30\n---\n\n{{< mystery 1 >}}\n';
    // Act
    const result = parseText('both.md', text);
    // Assess
    expect(errorsOf(result).map((p) => [p.field, p.line])).toEqual([
      ['date', 3],
      ['body', 6],
    ]);
  });

  it('rejects a title that is nothing but markup, naming the field', () => {
    // Act
    const result = parseFixture('script-injection.md');
    // Assess
    expect(result.post).toBeUndefined();
    expect(errorsOf(result)).toMatchObject([{ field: 'title', message: expect.stringMatching(/HTML/) }]);
  });

  it('publishes a title and summary with their tags stripped and a body cleaned, telling the author each removal', () => {
    // Prepare
    const source = new TextDecoder().decode(fixture('script-injection.md'));
    const text = source.replace(/^title: .*$/m, 'title: "<script>alert(1)</script>A <b>bold</b> move"');
    // Act
    const { post, problems } = parseText('script-injection.md', text);
    // Assess
    expect(post?.title).toBe('A bold move');
    expect(post?.summary).toBe('A bold claim');
    expect(post?.html).not.toMatch(/<script|onerror|javascript:|alert\('body'\)/);
    expect(post?.html).toContain('<img src="https://notes.example/posts/pixel.png"');
    expect(problems.map((p) => [p.field, p.line, p.severity, p.message])).toEqual([
      ['title', undefined, 'warning', expect.stringMatching(/published as "A bold move"/)],
      ['description', undefined, 'warning', expect.stringMatching(/tags removed/)],
      ['body', 7, 'warning', 'A script element was removed from the post.'],
      ['body', 9, 'warning', expect.stringMatching(/^An event handler attribute .* was removed/)],
      ['body', 8, 'warning', 'A javascript: link was removed from the post.'],
    ]);
  });

  it('warns about an iframe from a host that is not allowed, and about a relative image that was not uploaded', () => {
    // Prepare
    const text =
      '---\ntitle: T\ndate: 2024-11-14\n---\n\n![a](2024/here.png) ![b](gone.png)\n\n<iframe src="https://ads.example/x"></iframe>\n';
    const content = { ...EMPTY_CONTENT, files: ['post.md', '2024/here.png'] };
    // Act
    const result = parsePost({ sourcePath: 'post.md', bytes: new TextEncoder().encode(text) }, makeSite(), content);
    // Assess
    expect(result.post).toBeDefined();
    expect(result.problems.map((p) => [p.line, p.severity, p.message])).toEqual([
      [8, 'warning', expect.stringMatching(/^An embedded frame \(iframe\) was removed/)],
      [6, 'warning', expect.stringMatching(/"gone\.png" points at gone\.png, which is not among the uploaded files/)],
    ]);
  });

  it('names every missing image of a post in one warning', () => {
    // Prepare
    const images = ['a', 'b', 'c', 'd', 'e'].map((name) => `![${name}](shots/${name}.png)`).join('\n\n');
    const text = `---\ntitle: T\ndate: 2024-11-14\n---\n\n${images}\n`;
    // Act
    const result = parsePost({ sourcePath: 'post.md', bytes: new TextEncoder().encode(text) }, makeSite(), {
      ...EMPTY_CONTENT,
      files: ['post.md'],
    });
    // Assess
    expect(result.problems).toEqual([
      expect.objectContaining({
        line: 6,
        severity: 'warning',
        message:
          '5 images point at files that are not among the uploaded files (shots/a.png (line 6), shots/b.png (line 8), shots/c.png (line 10) and 2 more), so readers will see broken images.',
      }),
    ]);
  });

  it('rejects a body with nothing left once scripts are removed', () => {
    // Prepare
    const text = '---\ntitle: T\ndate: 2024-11-14\n---\n\n<script>alert(1)</script>\n';
    // Act
    const result = parseText('script-only.md', text);
    // Assess
    expect(result.post).toBeUndefined();
    expect(errorsOf(result)[0]).toMatchObject({ field: 'body' });
  });
});

describe('parsePost on valid input', () => {
  it('reads a UTF-16 file with a byte order mark', () => {
    // Act
    const { post, problems } = parseFixture('utf16-bom.md');
    // Assess
    expect(problems).toEqual([]);
    expect(post?.title).toBe('Saved as UTF-16 — café 🚀');
    expect(post?.html).toContain('naïve, 東京.');
  });

  it('repairs mojibake and warns on each repaired line', () => {
    // Act
    const { post, problems } = parseFixture('mojibake.md');
    // Assess
    expect(post?.title).toBe('It’s mis-decoded');
    expect(post?.html).toContain('don’t');
    expect(problems.map((p) => [p.severity, p.line])).toEqual([
      ['warning', 2],
      ['warning', 6],
    ]);
    expect(problems[0]?.message).toContain('"â€™" became "’"');
  });

  it('leaves shortcodes and Liquid inside a fenced code block untouched', () => {
    // Act
    const { post, problems } = parseFixture('shortcode-in-fence.md');
    // Assess
    expect(problems).toEqual([]);
    expect(post?.html).toContain('{{&lt; tweet user="someone" id="12345" &gt;}}\n{% include footer.html %}');
  });

  it('makes relative URLs absolute against where the source is published', () => {
    // Act
    const { post } = parsePost({ sourcePath: '2024/relative-urls.md', bytes: fixture('relative-urls.md') }, makeSite());
    // Assess
    expect(post?.html).toContain('src="https://notes.example/posts/2024/cover.jpg"');
    expect(post?.html).toContain('src="https://notes.example/posts/shared/logo.png"');
    expect(post?.html).toContain('href="https://notes.example/posts/2024/other/"');
    expect(post?.html).toContain('href="https://notes.example/about/"');
    expect(post?.html).toContain('href="https://elsewhere.example/x"');
    expect(post?.image).toBe('https://notes.example/posts/2024/cover.jpg');
  });

  it('splits the excerpt at <!--more--> and summarises from it', () => {
    // Act
    const { post } = parseFixture('more-excerpt.md');
    // Assess
    expect(post?.excerptHtml).toBe('<p>The <em>opening</em> paragraph.</p>\n');
    expect(post?.summary).toBe('The opening paragraph.');
    expect(post?.html).toContain('The remainder');
  });

  it('cuts a summary from long opening text at a word boundary', () => {
    // Prepare
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    // Act
    const { post } = parseText('long.md', `---\ntitle: Long\ndate: 2024-11-14\n---\n\n${words}\n`);
    // Assess
    expect(post?.summary).toMatch(/^word0 word1 .* word\d+…$/);
    expect(Array.from(post?.summary ?? '').length).toBeLessThanOrEqual(301);
    expect(post?.excerptHtml).toBeUndefined();
  });

  it('dates a Jekyll post from its file name and drops the date from the slug', () => {
    // Act
    const { post, problems } = parseFixture('2024-11-14-jekyll-dated.md');
    // Assess
    expect(problems).toEqual([]);
    expect(post?.date.toISOString()).toBe('2024-11-13T23:00:00.000Z');
    expect(post?.slug).toBe('jekyll-dated');
    expect(post?.url).toBe('https://notes.example/posts/jekyll-dated/');
  });

  it('reads a post with TOML front matter', () => {
    // Act
    const { post, problems } = parseFixture('toml-post.md');
    // Assess
    expect(problems).toEqual([]);
    expect(post).toMatchObject({ title: 'Written in TOML', tags: ['toml'], draft: false, slug: 'toml-post' });
    expect(post?.date.toISOString()).toBe('2024-11-14T09:00:00.000Z');
  });

  it('names a page bundle after its folder and resolves its image beside it', () => {
    // Act
    const { post } = parseFixture('hello/index.md');
    // Assess
    expect(post?.slug).toBe('hello');
    expect(post?.image).toBe('https://notes.example/posts/hello/photo.png');
  });

  it('uses the publish date as the date when there is no date', () => {
    // Prepare
    const text = '---\ntitle: Later\npublishDate: 2099-01-01\n---\nBody';
    // Act
    const { post } = parseText('later.md', text);
    // Assess
    expect(post?.date.toISOString()).toBe('2098-12-31T23:00:00.000Z');
    expect(post?.publishAt).toBeUndefined();
    expect(post && publicationState(post, new Date('2030-01-01T00:00:00Z'))).toBe('scheduled');
  });

  it('keeps updated and publishAt only when later than the date', () => {
    // Prepare
    const text = [
      '---',
      'title: T',
      'date: 2024-11-14T12:00:00Z',
      'lastmod: 2024-11-01T00:00:00Z',
      'publishDate: 2024-11-20T00:00:00Z',
      '---',
      'Body',
    ].join('\n');
    // Act
    const { post } = parseText('t.md', text);
    // Assess
    expect(post?.updated).toBeUndefined();
    expect(post?.publishAt?.toISOString()).toBe('2024-11-20T00:00:00.000Z');
  });

  it('warns when a post expires before its date', () => {
    // Prepare
    const text = '---\ntitle: T\ndate: 2024-11-14\nexpiryDate: 2024-01-01\n---\nBody';
    // Act
    const { post, problems } = parseText('t.md', text);
    // Assess
    expect(post).toBeDefined();
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', field: 'expiryDate' })]);
  });

  it('uses the author slug and the configured permalink pattern', () => {
    // Prepare
    const site = makeSite({ permalink: 'https://blog.example/:year/:month/:slug/' });
    const text = '---\ntitle: T\ndate: 2024-11-14T10:00:00+01:00\nslug: chosen-slug\nid: 42\n---\nBody';
    // Act
    const { post } = parseText('2024/whatever.md', text, site);
    // Assess
    expect(post?.slug).toBe('chosen-slug');
    expect(post?.authorId).toBe('42');
    expect(post?.url).toBe('https://blog.example/2024/11/chosen-slug/');
  });

  it('keeps emoji, accents and CJK everywhere', () => {
    // Prepare
    const text = '---\ntitle: "東京 café 🚀"\ndate: 2024-11-14\ntags: [日本語, "émoji 🚀"]\n---\n\n小さな 🧪 naïve\n';
    // Act
    const { post } = parseText('東京.md', text);
    // Assess
    expect(post?.title).toBe('東京 café 🚀');
    expect(post?.tags).toEqual(['日本語', 'émoji 🚀']);
    expect(post?.summary).toBe('小さな 🧪 naïve');
    expect(post?.slug).toMatch(/^post-[0-9a-f]{8}$/);
  });

  it('expands Liquid site variables against a base URL with a path', () => {
    // Prepare
    const site = makeSite({ baseUrl: 'https://notes.example/blog/' });
    const text = '---\ntitle: T\ndate: 2024-11-14\n---\n\n[home]({{ site.url }}{{ site.baseurl }}/) ![p](p.png)\n';
    // Act
    const { post } = parseText('2024/t.md', text, site);
    // Assess
    expect(post?.html).toContain('href="https://notes.example/blog/"');
    expect(post?.html).toContain('src="https://notes.example/blog/posts/2024/p.png"');
  });
});

describe('publicationState', () => {
  const makePost = (overrides: Partial<Post> = {}): Post => ({
    sourcePath: 'a.md',
    slug: 'a',
    title: 'A',
    date: new Date('2024-06-01T00:00:00Z'),
    draft: false,
    summary: '',
    html: '<p>a</p>',
    tags: [],
    categories: [],
    authors: [],
    url: 'https://notes.example/posts/a/',
    ...overrides,
  });
  const now = new Date('2025-01-01T00:00:00Z');

  it.each([
    ['live', {}],
    ['draft', { draft: true, date: new Date('2099-01-01T00:00:00Z') }],
    ['scheduled', { date: new Date('2025-01-01T00:00:01Z') }],
    ['scheduled', { publishAt: new Date('2025-02-01T00:00:00Z') }],
    ['expired', { expiresAt: new Date('2025-01-01T00:00:00Z') }],
    ['live', { expiresAt: new Date('2025-01-02T00:00:00Z'), publishAt: new Date('2024-12-31T00:00:00Z') }],
  ] as const)('is %s for %j', (expected, overrides) => {
    // Prepare
    const post = makePost(overrides);
    // Act
    const state = publicationState(post, now);
    // Assess
    expect(state).toBe(expected);
  });
});

describe('slugFromPath', () => {
  it.each([
    ['hello.md', 'hello'],
    ['2024/2024-11-14-Hello-World.markdown', 'hello-world'],
    ['2024/hello/index.md', 'hello'],
    ['section/_index.md', 'section'],
    ['index.md', 'the-title'],
  ])('derives the slug of %s as %s', (path, expected) => {
    // Act
    const slug = slugFromPath(path, 'The Title');
    // Assess
    expect(slug).toBe(expected);
  });
});

describe('postSourceUrl', () => {
  it.each([
    ['hello.md', 'https://notes.example/posts/'],
    ['2024/hello.md', 'https://notes.example/posts/2024/'],
    ['2024/hello/index.md', 'https://notes.example/posts/2024/hello/'],
  ])('places %s at %s', (path, expected) => {
    // Act
    const url = postSourceUrl({ baseUrl: 'https://notes.example/' }, path);
    // Assess
    expect(url).toBe(expected);
  });
});

describe('truncateText', () => {
  it('keeps short text whole and cuts CJK text without spaces at the length', () => {
    // Prepare
    const cjk = '東'.repeat(20);
    // Act
    const short = truncateText('short text', 300);
    const cut = truncateText(cjk, 10);
    // Assess
    expect(short).toBe('short text');
    expect(cut).toBe(`${'東'.repeat(10)}…`);
  });

  it('never splits an emoji', () => {
    // Prepare
    const text = '🚀'.repeat(12);
    // Act
    const cut = truncateText(text, 5);
    // Assess
    expect(cut).toBe('🚀🚀🚀🚀🚀…');
  });
});

describe('parsePost on posts as Hugo and Jekyll read them', () => {
  it('titles a post without a title from its file name, and says so', () => {
    // Act
    const result = parseFixture('missing-title.md');
    // Assess
    expect(errorsOf(result)).toEqual([]);
    expect(result.post?.title).toBe('Missing Title');
    expect(result.problems).toEqual([expect.objectContaining({ field: 'title', severity: 'warning' })]);
  });

  it.each([
    ['with front matter but no title', '---\nlayout: post\n---\nThe text.\n'],
    ['with no front matter at all', 'The text.\n'],
  ])('titles a Jekyll post %s as Jekyll does, from its file name, without a word', (_name, text) => {
    // Act
    const result = parseText('_posts/2019-05-02-my-first-VM.md', text);
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.post?.title).toBe('My First Vm');
    expect(result.post?.date.toISOString()).toBe('2019-05-01T22:00:00.000Z');
  });

  it('reads a Hugo post whose front matter follows a blank line', () => {
    // Act
    const result = parseText('blog/spaced.md', '\n  \n---\ntitle: Spaced\ndate: 2024-03-01\n---\nThe text.\n');
    // Assess
    expect(result.problems).toEqual([]);
    expect(result.post?.title).toBe('Spaced');
    expect(result.post?.html).toBe('<p>The text.</p>\n');
  });

  it('reads no front matter after a blank line in a Jekyll post, as Jekyll shows it', () => {
    // Act
    const result = parseText('_posts/2024-03-01-spaced.md', '\n---\ntitle: Spaced\n---\nThe text.\n');
    // Assess
    expect(errorsOf(result)).toEqual([]);
    expect(result.post?.title).toBe('Spaced');
    expect(result.post?.html).toMatch(/^<hr[^>]*>\n<h2[^>]*>title: Spaced<\/h2>/);
  });
});

describe('parsePost on a post without a date', () => {
  it('dates it when its file last changed, as Hugo would build it, and says so', () => {
    // Prepare
    const undatedAt = new Date('2025-02-03T04:05:06Z');
    // Act
    const result = parsePost(
      {
        sourcePath: 'blog/undated.md',
        bytes: new TextEncoder().encode('---\ntitle: Undated\n---\nText.\n'),
        undatedAt,
      },
      makeSite(),
    );
    // Assess
    expect(result.post?.date).toEqual(undatedAt);
    expect(result.problems).toEqual([
      expect.objectContaining({
        field: 'date',
        severity: 'warning',
        message: expect.stringContaining('2025-02-03T04:05:06.000Z'),
      }),
    ]);
  });

  it('still rejects a date it cannot read, rather than putting another in its place', () => {
    // Act
    const result = parsePost(
      {
        sourcePath: 'blog/bad-date.md',
        bytes: new TextEncoder().encode('---\ntitle: Bad\ndate: someday\n---\nText.\n'),
        undatedAt: new Date('2025-02-03T04:05:06Z'),
      },
      makeSite(),
    );
    // Assess
    expect(result.post).toBeUndefined();
    expect(errorsOf(result)).toEqual([expect.objectContaining({ field: 'date' })]);
  });
});
