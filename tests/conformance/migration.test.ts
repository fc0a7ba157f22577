import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { siteReader } from '../../functions/cli/migrate-check-command.ts';
import { runCli } from '../../functions/cli.ts';
import { type FeedRead, readFeed } from '../../functions/core/feeds/read-feed.ts';
import {
  aliasTargetOf,
  checkMigration,
  type NewFeed,
  resolveAddress,
  sitePathOf,
} from '../../functions/core/site/migration-check.ts';
import { validateAtom, validateJsonFeed, validateRss } from '../support/feed-validator.ts';
import { buildWithGenerator, filesBelow, type Generator, generatorsInstalled } from '../support/generator-build.ts';

/*
 * Moving a blog here, measured with the real generators: each conformance fixture (tests/fixtures/conformance) is
 * built by Hugo or Jekyll with its feed on, and by our CLI on the generator's site address. A reader of the old
 * feed must lose nothing: every item id is in our feed character for character, every post address and every
 * alias the generator wrote (Hugo `aliases`, jekyll-redirect-from `redirect_from`) leads to the post's page, and
 * the old feed's own path answers with a feed. Without hugo or jekyll the suite is skipped, except in CI.
 */

const CORPUS = fileURLToPath(new URL('../fixtures/conformance/', import.meta.url));
const NOW = '2026-01-01T00:00:00Z';

interface Case {
  /** The generator's site root: its feed's ids and links are rooted here, and our build is given it as baseUrl. */
  root: string;
  /** The generator's feed, below its output folder. */
  feed: string;
  /** Merged after the fixture's own config: feeds on, every post in the feed. */
  extraConfig: { name: string; text: string };
  /**
   * Whether to lay the rest of the site (pages that are not posts) over the fixture. Hugo's home feed lists every
   * page, so the Hugo build leaves them out (and lets its refs to them warn) to hold exactly the posts.
   */
  withSite: boolean;
}

const CASES: Record<Generator, Case> = {
  hugo: {
    root: 'https://notes.example/',
    feed: 'index.xml',
    extraConfig: {
      name: 'feeds-on.toml',
      text: [
        'disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404"]',
        'rssLimit = 10000',
        'refLinksErrorLevel = "WARNING"',
      ].join('\n'),
    },
    withSite: false,
  },
  jekyll: {
    root: 'https://ada.example/',
    feed: 'feed.xml',
    extraConfig: {
      name: 'feeds-on.yml',
      text: ['plugins: [jekyll-feed, jekyll-redirect-from]', 'feed:', '  posts_limit: 10000'].join('\n'),
    },
    withSite: true,
  },
};

const GENERATORS = generatorsInstalled();
const SKIP_REASON =
  'Debian’s hugo and jekyll are not installed (apt-get install hugo jekyll ruby-jekyll-feed ruby-jekyll-redirect-from)';
// The Jekyll build uses the two plugins a moved Jekyll blog has; without them it would fail rather than compare.
const JEKYLL_PLUGINS = spawnSync('ruby', ['-e', 'require "jekyll-feed"; require "jekyll-redirect-from"']).status === 0;
const missing = !GENERATORS.hugo || !GENERATORS.jekyll || !JEKYLL_PLUGINS;
if (missing && process.env.CI) throw new Error(`${SKIP_REASON}; .ci/run installs them.`);

const work = mkdtempSync(join(tmpdir(), 'feedmail-migration-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The feeds at the top of a folder our CLI built. */
const feedsOf = async (dir: string): Promise<NewFeed[]> =>
  Promise.all(
    ['feed.xml', 'atom.xml', 'feed.json', 'index.xml']
      .filter((file) => filesBelow(dir).includes(file))
      .map(async (file) => ({ file, feed: await readFeed(readFileSync(join(dir, file), 'utf8'), file) })),
  );

interface Builds {
  generatorOut: string;
  oldFeed: FeedRead;
  ourOut: string;
  ourFeeds: NewFeed[];
}

/** Builds a fixture with its generator and with our CLI (once per generator; the tests only read the two folders). */
const builds = new Map<Generator, Promise<Builds>>();
const buildBoth = (generator: Generator): Promise<Builds> => {
  const cached = builds.get(generator);
  if (cached) return cached;
  const built = (async () => {
    const { root, feed, extraConfig, withSite } = CASES[generator];
    const folder = mkdtempSync(join(work, `${generator}-`));
    const { out: generatorOut } = buildWithGenerator(generator, CORPUS, folder, { extraConfig, withSite });
    const config = join(folder, 'site.config.json');
    // The old feed path keeps its old format: Hugo's RSS at index.xml, jekyll-feed's Atom at feed.xml.
    const feedPaths = generator === 'hugo' ? { 'index.xml': 'rss' } : { 'feed.xml': 'atom' };
    const settings = {
      title: 'Conformance notes',
      baseUrl: root,
      feedSize: 500,
      timeZone: 'America/Los_Angeles',
      feedPaths,
    };
    writeFileSync(config, JSON.stringify(settings));
    const ourOut = join(folder, 'feedmail-out');
    const log: string[] = [];
    const args = ['build', join(CORPUS, generator), '--out', ourOut, '--config', config, '--now', NOW];
    const code = await runCli(args, { out: (line) => log.push(line), err: (line) => log.push(line) }, folder);
    if (code !== 0) throw new Error(`cli build of the ${generator} fixture exited ${code}:\n${log.join('\n')}`);
    const oldFeed = await readFeed(readFileSync(join(generatorOut, feed), 'utf8'), feed);
    return { generatorOut, oldFeed, ourOut, ourFeeds: await feedsOf(ourOut) };
  })();
  builds.set(generator, built);
  return built;
};

/**
 * The old addresses the generator answers with a redirect, each with where it leads: Hugo writes an alias page
 * (meta refresh) for each of `aliases`; jekyll-redirect-from lists its `redirect_from` pages in redirects.json.
 */
const generatorAliases = (generator: Generator, out: string): { from: string; to: string }[] => {
  if (generator === 'jekyll') {
    const listed = JSON.parse(readFileSync(join(out, 'redirects.json'), 'utf8')) as Record<string, string>;
    return Object.entries(listed).map(([from, to]) => ({ from, to }));
  }
  return filesBelow(out).flatMap((file) => {
    if (!file.endsWith('.html')) return [];
    const to = aliasTargetOf(readFileSync(join(out, file), 'utf8'));
    return to === undefined ? [] : [{ from: `/${file.replace(/index\.html$/, '')}`, to }];
  });
};

describe.skipIf(missing)(
  missing ? `Migration from Hugo and Jekyll skipped: ${SKIP_REASON}` : 'a blog moved from its generator',
  () => {
    it.each(['hugo', 'jekyll'] as const)('keeps every id and address of the %s feed', async (generator) => {
      // Prepare
      const { oldFeed, ourOut, ourFeeds } = await buildBoth(generator);
      const { root } = CASES[generator];
      // Act
      const report = await checkMigration({
        oldFeed,
        oldBase: root,
        newBase: root,
        newFeeds: ourFeeds,
        readFile: siteReader(ourOut),
      });
      // Assess
      expect(oldFeed.items.length).toBeGreaterThan(10);
      const failed = report.items.filter((item) => item.verdict === 'fail');
      expect(failed.map(({ id, idCheck, address }) => ({ id, idCheck, address }))).toEqual([]);
      expect(report.summary.ids).toMatchObject({ kept: oldFeed.items.length, lost: 0 });
      expect(report.summary.addresses).toMatchObject({ resolve: oldFeed.items.length, fail: 0 });
    });

    it.each(['hugo', 'jekyll'] as const)(
      'gives each post the %s feed id character for character, in every feed',
      async (generator) => {
        // Prepare
        const { oldFeed, ourFeeds } = await buildBoth(generator);
        const theirs = oldFeed.items.map((item) => item.id).sort();
        // Act
        const ours = ourFeeds.map(({ file, feed }) => ({ file, ids: feed.items.map((item) => item.id).sort() }));
        // Assess
        expect(ours.length).toBeGreaterThanOrEqual(3);
        for (const { file, ids } of ours) expect({ file, ids }).toEqual({ file, ids: theirs });
      },
    );

    it.each(['hugo', 'jekyll'] as const)(
      'answers every alias %s wrote with the page of its post',
      async (generator) => {
        // Prepare
        const { generatorOut, ourOut } = await buildBoth(generator);
        const { root } = CASES[generator];
        const sites = { oldBase: root, newBase: root };
        const aliases = generatorAliases(generator, generatorOut);
        // Act
        const answers = await Promise.all(
          aliases.map(async ({ from, to }) => {
            const target = sitePathOf(to, root) ?? to;
            const [alias, page] = await Promise.all([
              resolveAddress(from, sites, siteReader(ourOut)),
              resolveAddress(target, sites, siteReader(ourOut)),
            ]);
            const file = (check: typeof alias) => (check.status === 'resolves' ? check.file : check.status);
            return { from, leadsTo: file(alias), postPage: file(page) };
          }),
        );
        // Assess
        expect(aliases.length).toBeGreaterThanOrEqual(3);
        expect(answers.filter((answer) => answer.postPage === 'dead')).toEqual([]);
        expect(answers).toEqual(answers.map((answer) => ({ ...answer, leadsTo: answer.postPage })));
      },
    );

    it.each(['hugo', 'jekyll'] as const)('answers the old %s feed path with a feed', async (generator) => {
      // Prepare
      const { oldFeed, ourFeeds } = await buildBoth(generator);
      const { feed } = CASES[generator];
      // Act
      const atOldPath = ourFeeds.find((candidate) => candidate.file === feed)?.feed;
      // Assess: the same format, so a reader that checks what it fetched finds what it subscribed to.
      expect({ format: atOldPath?.format, items: atOldPath?.items.length }).toEqual({
        format: oldFeed.format,
        items: oldFeed.items.length,
      });
    });

    it.each(['hugo', 'jekyll'] as const)(
      'writes feeds the offline W3C validator finds clean for the %s fixture',
      async (generator) => {
        // Prepare
        const { ourOut, ourFeeds } = await buildBoth(generator);
        const { root } = CASES[generator];
        const validate = { rss: validateRss, atom: validateAtom, json: validateJsonFeed } as const;
        // Act
        const findings = ourFeeds.map(({ file, feed }) => ({
          file,
          findings: validate[feed.format](readFileSync(join(ourOut, file), 'utf8'), { location: `${root}${file}` }),
        }));
        // Assess
        for (const result of findings) expect(result).toEqual({ file: result.file, findings: [] });
      },
    );
  },
);
