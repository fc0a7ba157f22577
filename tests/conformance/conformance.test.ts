import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DefaultTreeAdapterMap, parse } from 'parse5';
import { afterAll, describe, expect, it } from 'vitest';
import { readFolder } from '../../functions/cli/posts-folder.ts';
import { buildFeeds } from '../../functions/core/feeds/build-feeds.ts';
import type { BatchResult } from '../../functions/core/posts/build-batch.ts';
import { buildBatch } from '../../functions/core/posts/build-batch.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import { validateAtom, validateJsonFeed, validateRss } from '../support/feed-validator.ts';
import { buildWithGenerator, type Generator, generatorsInstalled } from '../support/generator-build.ts';

/*
 * The conformance corpus: posts written the way Hugo and Jekyll blogs write them (tests/fixtures/conformance), each
 * with its expected HTML (tests/conformance/expected). Where Debian's hugo and jekyll are installed, the same
 * corpus is built with them and the text of every post is compared with ours, so "as Hugo and Jekyll publish them"
 * is measured. Without them the comparison is skipped with a message; in CI it fails, as .ci/run installs both.
 */

const CORPUS = fileURLToPath(new URL('../fixtures/conformance/', import.meta.url));
const NOW = new Date('2026-01-01T00:00:00Z');

const site = parseSiteConfig({
  title: 'Conformance notes',
  baseUrl: 'https://notes.example/',
  timeZone: 'America/Los_Angeles',
  iframeHosts: ['www.youtube-nocookie.com', 'www.youtube.com'],
});

const build = async (corpus: string): Promise<BatchResult & { siteProblems: string[] }> => {
  const folder = await readFolder(join(CORPUS, corpus));
  const result = buildBatch(folder.posts, site, NOW, folder.content);
  return { ...result, siteProblems: folder.problems.map((problem) => problem.message) };
};

/** A post's snapshot, named by its page: `hugo/posts/marsh-walk.html` for `/posts/marsh-walk/`, or by its slug. */
const expectedFile = (corpus: string, slug: string) =>
  `./expected/${corpus}/${slug.replace(/^\/+|\/+$/g, '').replace(/\.html$/, '')}.html`;

describe.each([
  ['hugo', 12],
  ['jekyll', 14],
  ['damaged', 5],
  ['hostile', 2],
])('the %s corpus', (corpus, count) => {
  it('publishes every post, each as its expected HTML', async () => {
    // Act
    const result = await build(corpus);
    // Assess
    expect(result.siteProblems).toEqual([]);
    expect(result.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    expect(result.published).toHaveLength(count);
    for (const post of result.published) {
      await expect(post.html).toMatchFileSnapshot(expectedFile(corpus, post.slug));
    }
  });

  it('writes feeds the offline W3C validator finds clean', async () => {
    // Prepare
    const result = await build(corpus);
    // Act
    const feeds = buildFeeds(result.published, site, NOW);
    // Assess
    expect({
      rss: validateRss(feeds.rss, { location: 'https://notes.example/feed.xml' }),
      atom: validateAtom(feeds.atom, { location: 'https://notes.example/atom.xml' }),
      json: validateJsonFeed(feeds.json, { location: 'https://notes.example/feed.json' }),
    }).toEqual({ rss: [], atom: [], json: [] });
  });
});

describe('what the author is told', () => {
  it('reports each repaired, guessed or removed character of the damaged posts as a warning with its line', async () => {
    // Act
    const result = await build('damaged');
    // Assess
    expect(result.problems.every((problem) => problem.severity === 'warning' && problem.line !== undefined)).toBe(true);
    const files = new Set(result.problems.map((problem) => problem.file));
    expect([...files].sort()).toEqual([
      'mac-roman-logo-lost.md',
      'mac-roman.md',
      'windows-1252-lost.md',
      'windows-1252.md',
      'windows-1254-dropped.md',
    ]);
    expect(
      result.problems.some((problem) => /lost a byte; from context it was read as "[^"]*🏽/.test(problem.message)),
    ).toBe(true);
  });

  it('tells the author of the hostile post every removal, and publishes its title and summary as text', async () => {
    // Act
    const result = await build('hostile');
    // Assess
    const hostile = result.published.find((post) => post.sourcePath === '2024-06-01-hostile-title.md');
    expect(hostile?.title).toBe('Hostile title');
    expect(hostile?.summary).toBe('A summary with a script, bold words & an ampersand');
    const messages = result.problems.map((problem) => `${problem.field}: ${problem.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^title: The title has HTML in it/),
      expect.stringMatching(/^description: The description has HTML in it/),
      'body: A script element was removed from the post.',
      expect.stringMatching(/^body: An event handler attribute/),
      'body: A javascript: link was removed from the post.',
      'body: A form was removed from the post.',
      expect.stringMatching(/^body: An embedded frame \(iframe\) was removed/),
    ]);
  });
});

// ------------------------------------------------------------------------------------ Hugo and Jekyll themselves

const GENERATORS = generatorsInstalled();
const SKIP_REASON =
  'Debian’s hugo and jekyll are not installed (apt-get install hugo jekyll ruby-jekyll-feed ruby-jekyll-redirect-from)';
const missing = !GENERATORS.hugo || !GENERATORS.jekyll;
if (missing && process.env.CI) throw new Error(`${SKIP_REASON}; .ci/run installs them.`);
if (missing) console.warn(`Skipping the Hugo and Jekyll comparison: ${SKIP_REASON}.`);

const work = mkdtempSync(join(tmpdir(), 'feedmail-conformance-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Builds a copy of a corpus with the real generator (in a fresh folder); returns where a post's page is, from its
 * source path, whatever address the generator gave it (the fixture layouts name each page's source).
 */
const buildWith = (generator: Generator): ((sourcePath: string) => string) => {
  const { pageOf } = buildWithGenerator(generator, CORPUS, mkdtempSync(join(work, `${generator}-`)));
  return (sourcePath) => pageOf(sourcePath) ?? `(no page for ${sourcePath})`;
};

type Node = DefaultTreeAdapterMap['node'];

const BLOCKS = new Set(
  'p div li ul ol pre figure figcaption blockquote aside table tr td th br hr h1 h2 h3 h4 h5 h6'.split(' '),
);

/** The text of an HTML fragment as a reader sees it: blocks apart, inline markup (highlighting) joined, whitespace folded. */
const textOf = (html: string): string => {
  const parts: string[] = [];
  const walk = (node: Node): void => {
    if ('value' in node && node.nodeName === '#text') parts.push(node.value);
    const block = BLOCKS.has(node.nodeName);
    if (block) parts.push(' ');
    if ('childNodes' in node) for (const child of node.childNodes) walk(child);
    if ('content' in node) walk(node.content);
    if (block) parts.push(' ');
  };
  walk(parse(html));
  return parts.join('').replace(/\s+/g, ' ').trim();
};

const articleOf = (page: string): string => /<article>([\s\S]*)<\/article>/.exec(page)?.[1] ?? page;

/** The targets of the links in an HTML fragment, each resolved against `base`. */
const hrefsOf = (html: string, base: string): string[] =>
  [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((found) => new URL(found[1] ?? '', base).href);

describe.skipIf(missing)(
  missing
    ? `Hugo and Jekyll comparison skipped: ${SKIP_REASON}; it always runs when CI is set`
    : 'text agreement with Hugo and Jekyll',
  () => {
    it.each(['hugo', 'jekyll'] as const)(
      'publishes every %s post with the text the generator gives it',
      async (generator) => {
        // Prepare
        const pageOf = buildWith(generator);
        const ours = await build(generator);
        // Act
        const compared = ours.published.map((post) => {
          const page = pageOf(post.sourcePath);
          return {
            slug: post.slug,
            ours: textOf(post.html),
            theirs: existsSync(page) ? textOf(articleOf(readFileSync(page, 'utf8'))) : `(no page at ${page})`,
          };
        });
        // Assess
        expect(compared.length).toBeGreaterThan(0);
        for (const { slug, ours: text, theirs } of compared) expect({ slug, text }).toEqual({ slug, text: theirs });
      },
    );

    it.each([
      [
        'jekyll' as const,
        'https://ada.example/',
        ['https://ada.example/about', 'https://ada.example/docs/', 'https://ada.example/docs/history'],
        'https://notes.example/2017/01/18/first-steps.html',
      ],
      [
        'hugo' as const,
        'https://notes.example/',
        ['https://notes.example/downloads/', 'https://notes.example/docs/', 'https://notes.example/docs/install/'],
        'https://notes.example/posts/builtins/',
      ],
    ])(
      'links the %s pages that are not posts where the generator puts them, on the site’s address',
      async (generator, address, pages, post) => {
        // Prepare
        const pageOf = buildWith(generator);
        const ours = await build(generator);
        const elsewhere = ours.published.find((candidate) => /elsewhere\.md$/.test(candidate.sourcePath));
        // Act
        const theirs = hrefsOf(articleOf(readFileSync(pageOf(elsewhere?.sourcePath ?? ''), 'utf8')), address);
        // Assess: the pages at the generator's own URLs on the site's address, the post where feedmail publishes it
        // (the generator's address for it, kept).
        expect(theirs.slice(0, 3)).toEqual(pages);
        expect(hrefsOf(elsewhere?.html ?? '', 'https://notes.example/')).toEqual([...pages, post]);
        // The other post is linked at the address its generator gave it, here on this site's address.
        expect(new URL(theirs[3] ?? '').pathname).toBe(new URL(post).pathname);
      },
    );
  },
);
