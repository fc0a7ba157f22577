import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFeed } from '@rowanmanning/feed-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAtom, validateRss } from './support/feed-validator.ts';
import { postText } from './support/publisher-harness.ts';
import { runCliIn } from './support/run-cli.ts';

let work: string;

const run = (args: string[]) => runCliIn(work, args);

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'feedmail-cli-'));
  await writeFile(
    join(work, 'site.config.json'),
    JSON.stringify({ title: 'CLI Notes', baseUrl: 'https://cli.example/', timeZone: 'UTC' }),
  );
  await mkdir(join(work, 'posts'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('cli build', () => {
  it('writes the three feeds, the index and one page per post', async () => {
    // Prepare
    await writeFile(join(work, 'posts', 'one.md'), postText({ title: 'One', date: '2024-11-01T10:00:00Z' }));
    await writeFile(join(work, 'posts', 'two.md'), postText({ title: 'Two', date: '2024-11-02T10:00:00Z' }));

    // Act
    const result = await run(['build', 'posts', '--out', 'site']);

    // Assess
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('2 posts: 2 published');
    const rss = parseFeed(await readFile(join(work, 'site', 'feed.xml'), 'utf8'));
    expect(rss.items.map((item) => item.title)).toEqual(['Two', 'One']);
    expect(rss.items[0]?.url).toBe('https://cli.example/posts/two/');
    const atom = parseFeed(await readFile(join(work, 'site', 'atom.xml'), 'utf8'));
    expect(atom.items.map((item) => item.title)).toEqual(['Two', 'One']);
    const json = JSON.parse(await readFile(join(work, 'site', 'feed.json'), 'utf8')) as { items: { title: string }[] };
    expect(json.items.map((item) => item.title)).toEqual(['Two', 'One']);
    expect(await readdir(join(work, 'site', 'posts'))).toEqual(['one', 'two']);
    expect(await readFile(join(work, 'site', 'index.html'), 'utf8')).toContain('Two');
    expect(await readFile(join(work, 'site', 'style.css'), 'utf8')).not.toBe('');
  });

  it('writes the valid posts, reports the rejected ones one line each, and exits 1', async () => {
    // Prepare
    await writeFile(join(work, 'posts', 'good.md'), postText({ title: 'Good' }));
    await writeFile(join(work, 'posts', 'bad.md'), postText({ title: '' }));

    // Act
    const result = await run(['build', 'posts', '--out', 'site']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^posts\/bad\.md(:\d+)?: error: title: .+ Fix: .+$/m);
    expect(result.err.split('\n')).toHaveLength(1);
    const rss = parseFeed(await readFile(join(work, 'site', 'feed.xml'), 'utf8'));
    expect(rss.items.map((item) => item.title)).toEqual(['Good']);
  });

  it('publishes the later of two files wanting the same slug at its dated slug, and says so', async () => {
    // Prepare
    await writeFile(join(work, 'posts', 'a.md'), postText({ title: 'A', slug: 'same', date: '2023-05-01T10:00:00Z' }));
    await writeFile(join(work, 'posts', 'b.md'), postText({ title: 'B', slug: 'same' }));

    // Act
    const result = await run(['build', 'posts', '--out', 'site']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.err).toContain(
      'posts/b.md: warning: slug: a.md already has the address posts/same/, so this post is published at posts/same-2024-11-14/.',
    );
    const rss = parseFeed(await readFile(join(work, 'site', 'feed.xml'), 'utf8'));
    expect(rss.items.map((item) => item.url).sort()).toEqual([
      'https://cli.example/posts/same-2024-11-14/',
      'https://cli.example/posts/same/',
    ]);
  });

  it('rejects the later of two files that want the same slug on the same day', async () => {
    // Prepare
    await writeFile(join(work, 'posts', 'a.md'), postText({ title: 'A', slug: 'same' }));
    await writeFile(join(work, 'posts', 'b.md'), postText({ title: 'B', slug: 'same' }));
    await writeFile(join(work, 'posts', 'c.md'), postText({ title: 'C', slug: 'same' }));

    // Act
    const result = await run(['lint', 'posts']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain('posts/c.md: error: slug: slug "same" is already used by a.md.');
  });

  it('takes the base URL from --base-url', async () => {
    // Prepare
    await writeFile(join(work, 'posts', 'one.md'), postText({ title: 'One' }));

    // Act
    const result = await run(['build', 'posts', '--out', 'site', '--base-url', 'https://other.example/blog/']);

    // Assess
    expect(result.code).toBe(0);
    const rss = parseFeed(await readFile(join(work, 'site', 'feed.xml'), 'utf8'));
    expect(rss.items[0]?.url).toBe('https://other.example/blog/posts/one/');
  });

  it.each([
    [['build', 'posts'], /build needs --out/],
    [['publish'], /unknown command "publish"/],
    [['lint', 'posts', '--bogus'], /Unknown option '--bogus'/],
    [['build', 'posts', '--out', 'site', '--base-url', 'not a url'], /baseUrl/],
    [['lint', 'missing-folder'], /cannot read the posts folder/],
    [['build', 'posts', '--out', '.'], /overlaps the posts folder/],
    [['build', 'posts', '--out', 'posts/site'], /overlaps the posts folder/],
  ])('exits 2 with a message for the usage error %j', async (args, message) => {
    // Act
    const result = await run(args);

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });
});

describe('cli build with feedPaths', () => {
  it("serves a moved blog's old feed addresses: Atom at feed.xml, RSS at index.xml, feed/ and each tag's index.xml", async () => {
    // Prepare
    const config = {
      title: 'CLI Notes',
      baseUrl: 'https://cli.example/',
      timeZone: 'UTC',
      feedPaths: { 'feed.xml': 'atom', 'index.xml': 'rss', 'feed/': 'rss', 'tags/:tag/index.xml': 'rss' },
    };
    await writeFile(join(work, 'site.config.json'), JSON.stringify(config));
    await writeFile(join(work, 'posts', 'one.md'), postText({ title: 'One', extra: 'tags: [Rust]' }));

    // Act
    const result = await run(['build', 'posts', '--out', 'site']);

    // Assess
    expect(result).toMatchObject({ code: 0, err: '' });
    const read = (path: string) => readFile(join(work, 'site', path), 'utf8');
    const atom = await read('feed.xml');
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(validateAtom(atom, { location: 'https://cli.example/feed.xml' })).toEqual([]);
    expect(validateRss(await read('index.xml'), { location: 'https://cli.example/index.xml' })).toEqual([]);
    expect(validateRss(await read('feed/index.html'), { location: 'https://cli.example/feed/' })).toEqual([]);
    const tagFeed = await read('tags/rust/index.xml');
    expect(validateRss(tagFeed, { location: 'https://cli.example/tags/rust/index.xml' })).toEqual([]);
    expect(parseFeed(tagFeed).items.map((item) => item.title)).toEqual(['One']);
    expect(await read('index.html')).toContain('href="https://cli.example/index.xml"');
  });
});

describe('cli lint', () => {
  it('writes nothing and exits 0 when every post is fine', async () => {
    // Prepare
    await writeFile(join(work, 'posts', 'fine.md'), postText({ title: 'Fine' }));

    // Act
    const result = await run(['lint', 'posts']);

    // Assess
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(await readdir(work)).toEqual(['posts', 'site.config.json']);
  });
});

describe('cli on a migrated Jekyll folder', () => {
  it('reads _config.yml and _includes beside the posts, warns about what renders empty, and exits 0', async () => {
    // Prepare
    await mkdir(join(work, 'posts', '_posts'));
    await mkdir(join(work, 'posts', '_includes'));
    await writeFile(join(work, 'posts', '_config.yml'), 'repository: me/blog\nurl: https://old.example\n');
    await writeFile(join(work, 'posts', '_includes', 'signup.html'), '<p>Sign up, {{ include.who }}.</p>');
    await writeFile(join(work, 'posts', '_posts', '2017-01-18-first.markdown'), '---\ntitle: First\n---\n\nHello.\n');
    await writeFile(
      join(work, 'posts', '_posts', '2023-01-29-moved.md'),
      [
        '---',
        'title: Moved',
        'date: 2023-01-29 18:30:22 -0800',
        'tags: [a, b]',
        '---',
        '',
        'Code: {{ site.repository }}. Earlier: [first]({{ site.baseurl }}{% post_url 2017-01-18-first %}).',
        '',
        '{% include signup.html who="friends" %}',
        '',
        '{% for tag in page.tags %}#{{ tag }} {% endfor %}{{ site.pages | size }}',
        '',
      ].join('\n'),
    );

    // Act
    const lint = await run(['lint', 'posts']);
    const build = await run(['build', 'posts', '--out', 'site']);

    // Assess
    expect(lint.code).toBe(0);
    expect(lint.err).toMatch(/_posts\/2023-01-29-moved\.md:11: warning: body: \{\{ site\.pages \}\}/);
    expect(lint.err.split('\n')).toHaveLength(1);
    expect(build.code).toBe(0);
    // Each post keeps the address Jekyll gave it (the default `date` style), in the site's time zone (UTC here).
    const page = await readFile(join(work, 'site', '2023', '01', '30', 'moved.html'), 'utf8');
    expect(page).toContain('Code: me/blog.');
    expect(page).toContain('<a href="https://cli.example/2017/01/18/first.html">first</a>');
    expect(page).toContain('<p>Sign up, friends.</p>');
    expect(page).toContain('#a #b');
    expect(page).toContain('datetime="2023-01-30T02:30:22.000Z"');
    await expect(readdir(join(work, 'site', '2017', '01', '18'))).resolves.toEqual(['first.html']);
  });
});

describe('cli as a command', () => {
  it('runs as a command in another folder (one with a space in its name) and exits 1 on a rejected post', async () => {
    // Prepare
    const spaced = join(work, 'my blog');
    await mkdir(join(spaced, 'posts'), { recursive: true });
    await writeFile(
      join(spaced, 'site.config.json'),
      JSON.stringify({ title: 'Spaced', baseUrl: 'https://s.example/' }),
    );
    await writeFile(join(spaced, 'posts', 'bad.md'), postText({ title: '' }));
    const cli = fileURLToPath(new URL('../functions/cli.ts', import.meta.url));

    // Act
    const tsx = new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
    const child = spawnSync(process.execPath, ['--import', tsx, cli, 'lint', 'posts'], {
      cwd: spaced,
      encoding: 'utf8',
    });

    // Assess
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/posts\/bad\.md(:\d+)?: error: title: /);
  });
});

describe('cli on a moved or companion blog', () => {
  const jekyllSite = async () => {
    await mkdir(join(work, 'posts', '_posts'), { recursive: true });
    await writeFile(join(work, 'posts', '_config.yml'), 'url: https://old.example\npermalink: /:year/:title/\n');
    await writeFile(
      join(work, 'posts', '_posts', '2024-03-02-heron-count.md'),
      '---\ntitle: Heron count\nredirect_from: /herons.html\n---\n\nSeven herons today.\n',
    );
  };

  it('writes each post at its old address, an alias page at each redirect_from, and the old ids in the feeds', async () => {
    // Prepare
    await jekyllSite();

    // Act
    const result = await run(['build', 'posts', '--out', 'site']);

    // Assess
    expect(result.code).toBe(0);
    expect(await readFile(join(work, 'site', '2024', 'heron-count', 'index.html'), 'utf8')).toContain('Seven herons');
    const alias = await readFile(join(work, 'site', 'herons.html'), 'utf8');
    expect(alias).toContain('<meta http-equiv="refresh" content="0; url=https://cli.example/2024/heron-count/">');
    const atom = await readFile(join(work, 'site', 'atom.xml'), 'utf8');
    expect(atom).toContain('<id>https://old.example/2024/heron-count</id>');
  });

  it('in companion mode (siteUrl) writes feeds pointing at the author’s own site, and no archive pages', async () => {
    // Prepare
    await jekyllSite();
    const config = JSON.parse(await readFile(join(work, 'site.config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(work, 'site.config.json'), JSON.stringify({ ...config, siteUrl: 'https://mine.example/' }));

    // Act
    const result = await run(['build', 'posts', '--out', 'site']);

    // Assess
    expect(result.code).toBe(0);
    const files = (await readdir(join(work, 'site'), { recursive: true })).sort();
    expect(files).not.toContain(join('2024', 'heron-count', 'index.html'));
    expect(files).not.toContain('herons.html');
    expect(files).not.toContain('sitemap.xml');
    expect(files).toContain('feed.xml');
    const rss = await readFile(join(work, 'site', 'feed.xml'), 'utf8');
    expect(rss).toContain('<link>https://mine.example/2024/heron-count/</link>');
    expect(rss).toContain('https://mine.example/2024/heron-count</guid>');
    // Every link of the pages that are written leads somewhere: the archive is the author's own site.
    const index = await readFile(join(work, 'site', 'index.html'), 'utf8');
    expect(index).not.toContain('/archive/');
    expect(index).toContain('href="https://mine.example/2024/heron-count/"');
  });
});

describe('cli build keeps every file where it belongs', () => {
  it('refuses an address that leaves the site or takes a file of the site’s own, and writes nothing outside --out', async () => {
    // Prepare
    await mkdir(join(work, 'posts', '_posts'), { recursive: true });
    await writeFile(join(work, 'posts', '_config.yml'), 'url: https://old.example\n');
    const post = (name: string, permalink: string) =>
      writeFile(
        join(work, 'posts', '_posts', `2024-03-02-${name}.md`),
        `---\ntitle: ${name}\npermalink: ${permalink}\n---\n\nText.\n`,
      );
    await post('escape', '/%2e%2e/%2e%2e/escaped/');
    await post('feed', '/feed.xml');
    await post('fine', '/fine/');

    // Act
    const result = await run(['build', 'posts', '--out', join('deep', 'site')]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /2024-03-02-escape\.md: error: permalink: The post's address \/%2E%2E\/%2E%2E\/escaped\/ cannot be published: it has a "\." or "\.\." segment/,
    );
    expect(result.err).toMatch(
      /2024-03-02-feed\.md: error: permalink: The post's address \/feed\.xml is the site’s own feed\.xml/,
    );
    expect(await readdir(work)).toEqual(['deep', 'posts', 'site.config.json']);
    expect(await readFile(join(work, 'deep', 'site', 'feed.xml'), 'utf8')).toContain('<rss');
    expect(await readFile(join(work, 'deep', 'site', 'fine', 'index.html'), 'utf8')).toContain('Text.');
  });

  it('rejects a second post whose address is another spelling of the first one’s page file', async () => {
    // Prepare: in a Jekyll site /notes/v1.2 is written to notes/v1.2.html, as /notes/v1.2.html is.
    await mkdir(join(work, 'posts', '_posts'), { recursive: true });
    await writeFile(join(work, 'posts', '_config.yml'), 'url: https://old.example\n');
    await writeFile(
      join(work, 'posts', '_posts', '2024-03-01-a.md'),
      '---\ntitle: A\npermalink: /notes/v1.2\n---\n\nFirst.\n',
    );
    await writeFile(
      join(work, 'posts', '_posts', '2024-03-02-b.md'),
      '---\ntitle: B\npermalink: /notes/v1.2.html\n---\n\nSecond.\n',
    );

    // Act
    const result = await run(['build', 'posts', '--out', 'site']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      "2024-03-02-b.md: error: permalink: The post's address is written to notes/v1.2.html, where",
    );
    expect(await readFile(join(work, 'site', 'notes', 'v1.2.html'), 'utf8')).toContain('First.');
  });

  it('never writes an alias over a page, and removes the alias files a later build no longer has', async () => {
    // Prepare
    await writeFile(join(work, 'posts', 'first.md'), postText({ title: 'First', slug: 'first' }));
    const second = (aliases: string) =>
      writeFile(
        join(work, 'posts', 'second.md'),
        postText({ title: 'Second', slug: 'second', extra: `aliases: ${aliases}` }),
      );
    await second('[/posts/first/index.html, /old-second/]');
    const before = await run(['build', 'posts', '--out', 'site']);
    const oldAlias = await readFile(join(work, 'site', 'old-second', 'index.html'), 'utf8');

    // Act
    await second('[]');
    const after = await run(['build', 'posts', '--out', 'site']);

    // Assess
    expect(before.err).toContain('is the address of a page');
    expect(await readFile(join(work, 'site', 'posts', 'first', 'index.html'), 'utf8')).toContain('First');
    expect(oldAlias).toContain('url=https://cli.example/posts/second/');
    expect(after.code).toBe(0);
    await expect(readFile(join(work, 'site', 'old-second', 'index.html'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
