/**
 * `npm run cli -- migrate-check OLD_FEED NEW_DIR`: reads a moved blog's old feed and a folder written by `cli build`,
 * and says per old post whether feed readers keep it (same id), whether its old address still leads to a page, and
 * whether its title is the same. The comparison itself is core/site/migration-check.ts; this file does the I/O.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describeError } from '../core/errors.ts';
import { type FeedRead, NotAFeedError, nameFeedFormat, readFeed } from '../core/feeds/read-feed.ts';
import {
  type AddressCheck,
  checkMigration,
  type IdCheck,
  type MigrationReport,
  type NewFeed,
  normalizeTitle,
  type TitleCheck,
} from '../core/site/migration-check.ts';
import { parseCommandLine } from './parse-command.ts';
import { insideFolder } from './posts-folder.ts';

export const MIGRATE_CHECK_USAGE = `Usage: npm run cli -- migrate-check <old-feed> <new-dir> [options]

Checks that a moved blog keeps what its readers depend on. <old-feed> is the old site's own feed (RSS, Atom or
JSON Feed; a file or an http(s) URL); <new-dir> is a folder written by \`npm run cli -- build\`. For each old item:
  id       its id (RSS guid, else its link; Atom id; JSON Feed id) is in the new feed its readers will read: the
           feed file at the old feed's address, else the new feeds of the same format, else any new feed.
  address  its link, relative to the old site's root, leads to a page in <new-dir>: /a/b/ and /a/b are
           a/b/index.html, /a/b.html is a/b.html; an alias page (meta refresh) is followed, at most 5 deep.
  title    is the same in the new feed (entities decoded, white space collapsed); a change is only a warning.
It also checks that the old feed's own address has a feed at it, and lists new feed items that readers of the old
feed never saw (a bigger feed shows older posts, which most readers present as new): a warning.

The feed window: a feed carries only the newest posts (feedSize, default 20), and a reader only ever sees what is
in it. An old item whose post is not in the new feed and is older than the new feed's oldest item cannot reappear,
so it is reported as "older than the new feed's oldest item" and does not fail the check. An old item within the
new feed's dates, or whose post is in the new feed (found by its address), must keep its id.

Exit status: 0 every id in the window kept and every address resolves (titles may differ), 1 an id lost, an
address dead or the old feed's address empty, 2 usage error (missing argument, unreadable file, not a feed).

Options:
  --old-base <url>  The old site's root (default: the old feed's site link)
  --new-base <url>  The new site's root, for alias targets and new feed links (default: the new feeds' site link)
  --json            Print one JSON object (items[] and summary) instead of text
  -h, --help        Show this help`;

export class MigrateCheckUsageError extends Error {
  override name = 'MigrateCheckUsageError';
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface MigrateCheckDeps {
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

/** How long the old site may take to send its feed. */
const FETCH_TIMEOUT_MS = 15_000;

const OPTIONS = {
  'old-base': { type: 'string' },
  'new-base': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * @example
 * await runMigrateCheckCommand(['https://old.example/index.xml', 'site'], { out: console.log, err: console.error }, cwd);
 */
/** An `&` that starts no entity or character reference. */
const BARE_AMPERSAND = /&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)/g;

/**
 * The old feed, read as readers' lenient parsers read it: jekyll-feed writes a post address holding `&` into
 * `href` unescaped, which no XML parser accepts. Such a feed is read with those `&` escaped, and the check says so.
 */
const readOldFeed = async (text: string, source: string, io: Pick<Io, 'err'>): Promise<FeedRead> => {
  try {
    return await readFeed(text, source);
  } catch (error) {
    const bare = text.match(BARE_AMPERSAND)?.length ?? 0;
    if (!(error instanceof NotAFeedError) || bare === 0) throw error;
    const feed = await readFeed(text.replace(BARE_AMPERSAND, '&amp;'), source);
    io.err(
      `warning: ${source} is not well-formed XML (${bare} bare "&", as jekyll-feed writes for addresses holding one); ` +
        'it was read with them escaped, as most feed readers do.',
    );
    return feed;
  }
};

export const runMigrateCheckCommand = async (
  argv: string[],
  io: Io,
  cwd: string,
  deps: MigrateCheckDeps = {},
): Promise<number> => {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, (message) => new MigrateCheckUsageError(message));
  if (values.help) {
    io.out(MIGRATE_CHECK_USAGE);
    return 0;
  }
  const [oldArg, dirArg, ...extra] = positionals;
  if (oldArg === undefined || dirArg === undefined) {
    throw new MigrateCheckUsageError(
      'migrate-check needs the old feed (a file or URL) and the folder of the new build',
    );
  }
  if (extra.length > 0) throw new MigrateCheckUsageError(`unexpected argument(s): ${extra.join(' ')}`);

  try {
    const isUrl = /^https?:\/\//i.test(oldArg);
    const oldText = isUrl
      ? await fetchFeed(oldArg, deps.fetch ?? fetch)
      : await readOldFile(resolve(cwd, oldArg), oldArg);
    const oldFeed = await readOldFeed(oldText, oldArg, io);
    const oldBase = rootOf(
      values['old-base'] ?? absolute(oldFeed.homeUrl, isUrl ? oldArg : undefined),
      '--old-base',
      oldArg,
    );
    const oldFeedUrl = isUrl ? oldArg : absolute(oldFeed.selfUrl, oldBase);

    const newDir = resolve(cwd, dirArg);
    const newFeeds = await findFeeds(newDir, dirArg);
    const newBase = values['new-base']
      ? rootOf(values['new-base'], '--new-base', dirArg)
      : (newFeeds.map((feed) => absolute(feed.feed.homeUrl, undefined)).find((url) => url !== undefined) ?? oldBase);

    const report = await checkMigration({
      oldFeed,
      oldBase,
      ...(oldFeedUrl === undefined ? {} : { oldFeedUrl }),
      newBase: normalizeRoot(newBase),
      newFeeds,
      readFile: siteReader(newDir),
    });
    if (values.json) {
      io.out(JSON.stringify(toJson(report, oldArg, oldFeed, oldBase, newFeeds), null, 2));
    } else {
      for (const line of formatReport(report, {
        source: oldArg,
        oldFeed,
        oldBase,
        newFeeds,
        newDir: relative(cwd, newDir) || '.',
      }))
        io.out(line);
    }
    return report.summary.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof NotAFeedError) {
      io.err(`${error.message}. Pass the old site's RSS or Atom feed (Hugo: index.xml, Jekyll: feed.xml).`);
      return 2;
    }
    if (error instanceof InputError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
};

/** An input that cannot be read (file, URL, folder, base): exit 2 with a message naming it and what to do. */
class InputError extends Error {
  override name = 'InputError';
}

const fetchFeed = async (url: string, fetcher: NonNullable<MigrateCheckDeps['fetch']>): Promise<string> => {
  let response: Response;
  try {
    response = await fetcher(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    const why =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer in ${FETCH_TIMEOUT_MS / 1000} s`
        : describeError(error);
    throw new InputError(`cannot fetch ${url}: ${why}. Check the address, or save the feed to a file and pass that`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new InputError(
      `cannot fetch ${url}: it answers ${response.status}. Check the address, or save the feed to a file and pass that`,
    );
  }
  return response.text();
};

const readOldFile = async (path: string, shown: string): Promise<string> => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(
      `cannot read the old feed ${shown} (${describeError(error)}). Pass the path of a saved feed or its URL`,
      {
        cause: error,
      },
    );
  }
};

/** A URL made absolute against a base, or undefined when there is none or it does not parse. */
const absolute = (url: string | undefined, base: string | undefined): string | undefined => {
  if (url === undefined || url.trim() === '') return undefined;
  try {
    return new URL(url.trim(), base).href;
  } catch {
    return undefined;
  }
};

const normalizeRoot = (url: string): string => {
  const root = new URL(url);
  root.search = '';
  root.hash = '';
  if (!root.pathname.endsWith('/')) root.pathname += '/';
  return root.href;
};

const rootOf = (url: string | undefined, option: string, source: string): string => {
  if (url === undefined) {
    throw new InputError(
      `${source} names no site link to read old addresses against. Pass ${option} <url>, the old site's root`,
    );
  }
  try {
    return normalizeRoot(url);
  } catch {
    throw new InputError(`${option} "${url}" is not an absolute URL. Pass the site's root, e.g. https://blog.example/`);
  }
};

/** The feed files at the top of the built folder, in name order; files that are not feeds are skipped. */
const findFeeds = async (dir: string, shown: string): Promise<NewFeed[]> => {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw new InputError(
      `cannot read the new build ${shown} (${describeError(error)}). Pass the folder that \`npm run cli -- build --out\` wrote`,
      {
        cause: error,
      },
    );
  }
  const feeds: NewFeed[] = [];
  for (const name of names) {
    if (!/\.(xml|json)$/i.test(name) || /^sitemap/i.test(name)) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      feeds.push({ file: name, feed: await readFeed(text, name) });
    } catch (error) {
      if (!(error instanceof NotAFeedError)) throw error;
    }
  }
  if (feeds.length === 0) {
    throw new InputError(
      `${shown} has no feed at its top (no .xml or .json file that is RSS, Atom or JSON Feed). Run \`npm run cli -- build <posts> --out ${shown}\` first`,
    );
  }
  return feeds;
};

/** Reads files below the built folder, never above it; a missing file (or a folder) is undefined. */
export const siteReader = (dir: string) => async (path: string) => {
  if (!insideFolder(dir, path)) return undefined;
  const full = join(dir, path);
  try {
    return await readFile(full, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw error;
  }
};

const describeFeed = (file: string, feed: FeedRead): string => {
  const dates = feed.items
    .map((item) => item.date)
    .filter((date) => date !== undefined)
    .sort();
  const oldest = dates[0] ? `, oldest ${dates[0].slice(0, 10)}` : '';
  return `${file} (${nameFeedFormat(feed.format)}, ${feed.items.length} items${oldest})`;
};

const describeId = (check: IdCheck): string => {
  switch (check.status) {
    case 'kept':
      return `id kept (${check.feed})`;
    case 'outside-window':
      return `not in the new feed (older than its oldest item, ${check.oldest.slice(0, 10)})`;
    case 'no-id':
      return 'no id or link in the old feed, not checked';
    case 'lost': {
      const newId = check.newId === undefined ? '' : ` "${check.newId}"`;
      const also = check.alsoIn ? `; found in ${check.alsoIn.join(', ')}, which its readers do not read` : '';
      return `id LOST: ${check.reason}${newId}${also}`;
    }
  }
};

const describeAddress = (check: AddressCheck): string => {
  switch (check.status) {
    case 'resolves': {
      const via = check.via.length > 0 ? ` via ${check.via.join(' -> ')}` : '';
      return `${check.path} -> ${check.file}${via}`;
    }
    case 'off-site':
      return `link ${check.link} is not on the old site, not checked`;
    case 'no-link':
      return 'no link, not checked';
    default:
      return `${check.path} does NOT resolve: ${check.reason}`;
  }
};

const describeTitle = (check: TitleCheck): string => {
  switch (check.status) {
    case 'same':
      return 'title same';
    case 'changed':
      return `title changed to "${check.newTitle}" (${check.feed})`;
    case 'not-compared':
      return 'title not compared (not in the new feeds)';
  }
};

/** Counts as `kept/checked`, with what was not checked in brackets. */
export const summaryLine = (report: MigrationReport): string => {
  const { ids, addresses, titles } = report.summary;
  const note = (count: number, text: string) => (count > 0 ? ` (${count} ${text})` : '');
  const idPart = `${ids.kept}/${ids.kept + ids.lost} ids kept${note(ids.outsideWindow, "older than the new feed's oldest item")}${note(ids.noId, 'without id')}`;
  const addressPart = `${addresses.resolve}/${addresses.resolve + addresses.fail} addresses resolve${note(addresses.offSite + addresses.noLink, 'off-site or without link, not checked')}`;
  const titlePart = `${titles.same}/${titles.same + titles.changed} titles same${note(titles.notCompared, 'not in the new feeds')}`;
  return `migrate-check: ${idPart}, ${addressPart}, ${titlePart}`;
};

interface ReportContext {
  source: string;
  oldFeed: FeedRead;
  oldBase: string;
  newFeeds: NewFeed[];
  newDir: string;
}

/** The text report: what was compared, one entry per old item, warnings, and the summary line last. */
export const formatReport = (report: MigrationReport, context: ReportContext): string[] => {
  const lines = [
    `old feed: ${describeFeed(context.source, context.oldFeed)}, site ${context.oldBase}`,
    `new feeds in ${context.newDir}: ${context.newFeeds.map(({ file, feed }) => describeFeed(file, feed)).join(', ')}`,
    `ids looked for in ${report.comparedWith.join(', ')} (${report.comparedBecause})`,
  ];
  const address = report.feedAddress;
  if (address.status === 'feed')
    lines.push(`old feed address ${address.path}: ${address.file} (${nameFeedFormat(address.format)})`);
  else if (address.status === 'alias') {
    lines.push(
      `warn: old feed address ${address.path} is an alias page to ${address.target}: the stack's host answers 301, which readers follow, but a static host serves the HTML page, which they cannot read`,
    );
  } else if (address.status === 'missing') {
    lines.push(
      `FAIL: old feed address ${address.path} has nothing at it (no file ${address.path.slice(1)}): subscribers would lose the feed. Write a feed there`,
    );
  } else lines.push(`old feed address not checked: ${address.reason}`);
  lines.push('');
  for (const item of report.items) {
    const date = item.date ? item.date.slice(0, 10) : 'no date   ';
    const shown = item.title === undefined ? (item.id ?? item.link ?? '(untitled)') : normalizeTitle(item.title);
    lines.push(`${(item.verdict === 'fail' ? 'FAIL' : item.verdict).padEnd(4)}  ${date}  ${shown}`);
    lines.push(
      `      ${describeId(item.idCheck)}; ${describeAddress(item.address)}; ${describeTitle(item.titleCheck)}`,
    );
  }
  if (report.unseen.length > 0) {
    lines.push('');
    lines.push(
      `warn: ${report.unseen.length} item(s) of the new feed were never in the old one and are not newer than it: readers of the old feed never saw them, and most show them as new`,
    );
    for (const item of report.unseen.slice(0, 10))
      lines.push(`      ${item.date?.slice(0, 10) ?? 'no date'}  ${item.title ?? item.id ?? ''} (${item.feed})`);
    if (report.unseen.length > 10) lines.push(`      and ${report.unseen.length - 10} more`);
  }
  lines.push('');
  lines.push(summaryLine(report));
  return lines;
};

const toJson = (report: MigrationReport, source: string, oldFeed: FeedRead, oldBase: string, newFeeds: NewFeed[]) => ({
  oldFeed: { source, format: oldFeed.format, site: oldBase, items: oldFeed.items.length },
  newFeeds: newFeeds.map(({ file, feed }) => ({ file, format: feed.format, items: feed.items.length })),
  comparedWith: report.comparedWith,
  comparedBecause: report.comparedBecause,
  feedAddress: report.feedAddress,
  items: report.items,
  unseen: report.unseen,
  summary: { ...report.summary, line: summaryLine(report) },
});
