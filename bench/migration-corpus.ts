/**
 * Moving the real blogs of the development corpus (/work/shared/corpus, see its README.md) here, measured: each
 * site is built by its own generator with its feed on (jekyll-feed and jekyll-redirect-from; Hugo's RSS), then by
 * `cli build` on the generator's site root with feedSize 500, and `cli migrate-check --json` compares the
 * generator's feed with our build. Per site it prints the feed's items, ids kept, addresses resolving, the
 * generator's aliases (Hugo alias pages, jekyll-redirect-from's redirects.json) resolving to the post's page here,
 * and whether the old feed path has a feed of the same format in our build.
 *
 *   node --import tsx bench/migration-corpus.ts [CORPUS_DIR]     (default /work/shared/corpus)
 *
 * SITES="hugo-flux jekyll-swift" limits the sites. Everything is written to a fresh temporary folder (named at the
 * end, with details.json: every failing id, address and alias); the corpus itself is only read. The generator's
 * part mimics the corpus's run.sh (its _generator/ configs and layouts), with the feeds turned back on.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteReader } from '../functions/cli/migrate-check-command.ts';
import { readFeed } from '../functions/core/feeds/read-feed.ts';
import { aliasTargetOf, resolveAddress, sitePathOf } from '../functions/core/site/migration-check.ts';
import { validateAtom, validateJsonFeed, validateRss } from '../tests/support/feed-validator.ts';
import { filesBelow } from '../tests/support/generator-build.ts';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const CORPUS = resolve(process.argv[2] ?? '/work/shared/corpus');
const GEN = join(CORPUS, '_generator');
/** A root for a Jekyll site whose _config.yml has no `url` (its feed would have relative ids otherwise). */
const FALLBACK_URL = 'https://corpus.example';
const HUGO_CONFIGS = ['hugo.toml', 'hugo.yaml', 'hugo.yml', 'hugo.json', 'config.toml', 'config.yaml', 'config.yml'];

/** Merged last: jekyll-feed with every post, jekyll-redirect-from's pages and redirects.json. */
const JEKYLL_FEEDS_ON = 'plugins: [jekyll-feed, jekyll-redirect-from]\nfeed:\n  posts_limit: 10000\n';
/** Merged last: RSS back on (run.sh's config disables it), every page in the feed (Hugo 0.111 reads rssLimit). */
const HUGO_FEEDS_ON = `disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404"]
rssLimit = 10000
[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
page = ["HTML"]
`;

interface SiteResult {
  /** What the offline W3C validator stand-in finds in the build's feeds (none is clean). */
  feedFindings: string[];
  site: string;
  generator: 'hugo' | 'jekyll';
  root: string;
  items: number;
  idsKept: number;
  idsLost: number;
  outsideWindow: number;
  addressesResolve: number;
  addressesFail: number;
  aliases: number;
  aliasesResolve: number;
  oldFeedPath: string;
  oldFeedStatus: string;
  details: {
    lostIds: unknown[];
    deadAddresses: unknown[];
    deadAliases: unknown[];
    build: string;
    /** Bare `&` escaped in the generator's feed so it can be read. */
    repairs: number;
  };
}

const run = (command: string, args: string[], cwd = PROJECT) => {
  const done = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: done.status ?? 2, stdout: done.stdout ?? '', stderr: done.stderr ?? '' };
};

/** run.sh's jekyll_layouts: every layout a post or _config.yml names gets the corpus's minimal layout. */
const addJekyllLayouts = (src: string): void => {
  const names = new Set(['post', 'default', 'page']);
  for (const file of filesBelow(src).filter((f) => /\.(md|markdown)$|(^|\/)_config\.yml$/.test(f))) {
    for (const [, name] of readFileSync(join(src, file), 'utf8').matchAll(/^ *layout: *['"]?([A-Za-z0-9_./-]+)/gm))
      if (name) names.add(name);
  }
  for (const name of names) {
    const target = join(src, '_layouts', `${name.replace(/\.html$/, '')}.html`);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(GEN, 'jekyll/_layouts/post.html'), target);
  }
};

/** run.sh's jekyll_link_targets: an empty stand-in for each `{% link %}` target outside the corpus. */
const addJekyllLinkTargets = (src: string): void => {
  for (const file of filesBelow(src).filter((f) => /\.(md|markdown)$/.test(f))) {
    for (const [, target] of readFileSync(join(src, file), 'utf8').matchAll(/\{%-? *link +([^ %]+)/g)) {
      if (!target || existsSync(join(src, target))) continue;
      mkdirSync(dirname(join(src, target)), { recursive: true });
      writeFileSync(join(src, target), /\.(md|markdown|html)$/.test(target) ? '---\ntitle: stand-in\n---\n' : '');
    }
  }
};

/** Builds a copy of the site with its generator, feeds on; returns the output folder and the feed's file name. */
const buildWithGenerator = (
  site: string,
  work: string,
): { generator: 'hugo' | 'jekyll'; out: string; feed: string } => {
  const src = join(work, 'generator-src');
  const out = join(work, 'generator-site');
  cpSync(join(CORPUS, site), src, { recursive: true });
  let result: ReturnType<typeof run>;
  let generator: 'hugo' | 'jekyll';
  if (existsSync(join(src, '_config.yml'))) {
    generator = 'jekyll';
    addJekyllLayouts(src);
    addJekyllLinkTargets(src);
    const own = readFileSync(join(src, '_config.yml'), 'utf8');
    const url = /^url:\s*['"]?\S/m.test(own) ? '' : `url: ${FALLBACK_URL}\n`;
    writeFileSync(join(work, 'feeds-on.yml'), `${JEKYLL_FEEDS_ON}${url}`);
    const configs = [join(src, '_config.yml'), join(GEN, 'jekyll/_config.generator.yml'), join(work, 'feeds-on.yml')];
    result = run('jekyll', ['build', '--source', src, '--destination', out, '--config', configs.join(',')]);
  } else {
    generator = 'hugo';
    const config = HUGO_CONFIGS.find((name) => existsSync(join(src, name)));
    if (config === undefined) throw new Error(`${site}: no _config.yml and no Hugo config`);
    cpSync(join(GEN, 'hugo/layouts/_default'), join(src, 'layouts/_default'), { recursive: true });
    // A relative baseURL (`/`, set on the command line by the real deploy) would give relative guids: root it.
    const own = readFileSync(join(src, config), 'utf8');
    const rooted = /baseURL\W+https?:\/\//i.test(own) ? '' : `baseURL = "${FALLBACK_URL}/"\n`;
    writeFileSync(join(work, 'feeds-on.toml'), `${rooted}${HUGO_FEEDS_ON}`);
    const configs = [join(src, config), join(GEN, 'hugo/config.toml'), join(work, 'feeds-on.toml')];
    const cache = join(work, '.hugo-cache');
    result = run('hugo', ['--source', src, '--destination', out, '--cacheDir', cache, '--config', configs.join(',')]);
  }
  writeFileSync(join(work, 'generator.log'), `${result.stdout}${result.stderr}`);
  if (result.status !== 0) throw new Error(`${site}: ${generator} exited ${result.status}, see ${work}/generator.log`);
  return { generator, out, feed: generator === 'jekyll' ? 'feed.xml' : 'index.xml' };
};

/** The generator's old addresses that redirect, each with where it leads. */
const aliasesOf = (generator: 'hugo' | 'jekyll', out: string): { from: string; to: string }[] => {
  if (generator === 'jekyll') {
    const file = join(out, 'redirects.json');
    if (!existsSync(file)) return [];
    return Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>).map(([from, to]) => ({
      from,
      to,
    }));
  }
  return filesBelow(out).flatMap((file) => {
    if (!file.endsWith('.html')) return [];
    const to = aliasTargetOf(readFileSync(join(out, file), 'utf8'));
    return to === undefined ? [] : [{ from: `/${file.replace(/index\.html$/, '')}`, to }];
  });
};

const measure = async (site: string, work: string): Promise<SiteResult> => {
  const { generator, out, feed } = buildWithGenerator(site, work);
  // jekyll-feed writes a post address with `&` unescaped in href (`/ml&pl`), which no XML reader takes: escape it.
  const written = readFileSync(join(out, feed), 'utf8');
  const bare = /&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)/g;
  const repairs = written.match(bare)?.length ?? 0;
  const oldFeedFile = join(work, `old-${feed}`);
  writeFileSync(oldFeedFile, written.replace(bare, '&amp;'));
  const oldFeed = await readFeed(readFileSync(oldFeedFile, 'utf8'), oldFeedFile);
  const root = new URL(oldFeed.homeUrl ?? `${FALLBACK_URL}/`).href.replace(/\/?$/, '/');

  const ours = join(work, 'project-site');
  const config = join(work, 'site.config.json');
  // The old feed path keeps its old format (README, Moving a blog here).
  const feedPaths = generator === 'hugo' ? { 'index.xml': 'rss' } : { 'feed.xml': 'atom' };
  writeFileSync(config, JSON.stringify({ title: site, baseUrl: root, feedSize: 500, feedPaths }));
  // The CLI reads a pristine copy, without the generator's stand-in layouts and link targets.
  cpSync(join(CORPUS, site), join(work, 'project-src'), { recursive: true });
  const built = run('npm', [
    'run',
    '--silent',
    'cli',
    '--',
    'build',
    join(work, 'project-src'),
    '--out',
    ours,
    '--config',
    config,
  ]);
  writeFileSync(join(work, 'project.log'), `${built.stdout}${built.stderr}`);
  const buildLine = built.stdout.trim().split('\n').at(-1) ?? `exit ${built.status}`;

  const check = run('npm', [
    'run',
    '--silent',
    'cli',
    '--',
    'migrate-check',
    oldFeedFile,
    ours,
    '--json',
    '--old-base',
    root,
    '--new-base',
    root,
  ]);
  writeFileSync(join(work, 'migrate-check.json'), check.stdout);
  if (check.status === 2) throw new Error(`${site}: migrate-check failed: ${check.stderr}`);
  const report = JSON.parse(check.stdout) as {
    feedAddress: { status: string; file?: string; format?: string };
    items: { id?: string; link?: string; idCheck: { status: string }; address: { status: string } }[];
    summary: {
      items: number;
      ids: { kept: number; lost: number; outsideWindow: number };
      addresses: { resolve: number; fail: number };
    };
  };

  const sites = { oldBase: root, newBase: root };
  const aliases = aliasesOf(generator, out);
  const deadAliases: unknown[] = [];
  for (const { from, to } of aliases) {
    const [alias, page] = await Promise.all([
      resolveAddress(from, sites, siteReader(ours)),
      resolveAddress(sitePathOf(to, root) ?? to, sites, siteReader(ours)),
    ]);
    const landed = alias.status === 'resolves' && page.status === 'resolves' && alias.file === page.file;
    if (!landed) deadAliases.push({ from, to, alias, page: page.status === 'resolves' ? page.file : page.status });
  }
  const feedAddress = report.feedAddress;
  return {
    feedFindings: validateFeedsIn(ours, root),
    site,
    generator,
    root,
    items: report.summary.items,
    idsKept: report.summary.ids.kept,
    idsLost: report.summary.ids.lost,
    outsideWindow: report.summary.ids.outsideWindow,
    addressesResolve: report.summary.addresses.resolve,
    addressesFail: report.summary.addresses.fail,
    aliases: aliases.length,
    aliasesResolve: aliases.length - deadAliases.length,
    oldFeedPath: `/${feed}`,
    oldFeedStatus:
      feedAddress.status === 'feed'
        ? `${feedAddress.format}${feedAddress.format === oldFeed.format ? '' : ` (was ${oldFeed.format})`}`
        : feedAddress.status,
    details: {
      build: buildLine,
      repairs,
      lostIds: report.items.filter((item) => item.idCheck.status === 'lost'),
      deadAddresses: report.items.filter((item) => !['resolves', 'off-site', 'no-link'].includes(item.address.status)),
      deadAliases,
    },
  };
};

/**
 * Every feed at the top of a build, through the offline stand-in of the W3C feed validator at its own address:
 * the findings, one string each (none is clean).
 */
const validateFeedsIn = (folder: string, root: string): string[] =>
  readdirSync(folder)
    .filter((name) => /\.(xml|json)$/.test(name) && name !== 'sitemap.xml' && !name.startsWith('.'))
    .flatMap((name) => {
      const text = readFileSync(join(folder, name), 'utf8');
      const location = new URL(name, root).href;
      const findings = text.trimStart().startsWith('{')
        ? validateJsonFeed(text, { location })
        : /<feed[\s>]/.test(text)
          ? validateAtom(text, { location })
          : validateRss(text, { location });
      return findings.map((finding) => `${name}: ${finding}`);
    });

const main = async (): Promise<void> => {
  const wanted = process.env.SITES?.split(/\s+/).filter(Boolean);
  const sites = filesBelow(CORPUS)
    .map((file) => file.split('/')[0] ?? '')
    .filter((name, index, all) => name !== '_generator' && all.indexOf(name) === index)
    .filter((name) => existsSync(join(CORPUS, name)) && !/\./.test(name))
    .filter((name) => wanted === undefined || wanted.includes(name))
    .sort();
  const work = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'feedmail-migration-corpus-'));
  const results: SiteResult[] = [];
  for (const site of sites) {
    const folder = join(work, site);
    mkdirSync(folder);
    try {
      const result = await measure(site, folder);
      results.push(result);
      console.error(`${site}: ${result.details.build}`);
    } catch (error) {
      console.error(`${site}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  writeFileSync(join(work, 'details.json'), JSON.stringify(results, null, 2));
  const header = [
    'site',
    'root',
    'items',
    'ids kept',
    'addresses',
    'aliases',
    'old feed path',
    'feed findings',
    'note',
  ];
  const rows = results.map((r) => [
    r.site,
    r.root,
    String(r.items),
    `${r.idsKept}/${r.idsKept + r.idsLost}${r.outsideWindow ? ` (+${r.outsideWindow} outside)` : ''}`,
    `${r.addressesResolve}/${r.addressesResolve + r.addressesFail}`,
    `${r.aliasesResolve}/${r.aliases}`,
    `${r.oldFeedPath}: ${r.oldFeedStatus}`,
    String(r.feedFindings.length),
    r.details.repairs > 0 ? `${r.details.repairs} bare & escaped in the old feed` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  console.log(`details: ${join(work, 'details.json')}`);
};

await main();
