/**
 * Whether a built site keeps what a moved blog's readers depend on: every old item's id (so feed readers show
 * nothing again), every old address (a page, or an alias page that leads to one), and, as a warning, every title.
 * Pure: the built folder is reached only through the `readFile` function the caller passes.
 */

import { decodeHTML } from 'entities';
import type { FeedFormat, FeedItemRead, FeedRead } from '../feeds/read-feed.ts';
import { addressFile } from '../paths.ts';

/** A feed file found at the top of the built folder. */
export interface NewFeed {
  /** File name below the built folder, e.g. `feed.xml`. */
  file: string;
  feed: FeedRead;
}

/** Reads a file below the built folder (a path like `2024/hello/index.html`); undefined when there is none. */
export type ReadSiteFile = (path: string) => Promise<string | undefined>;

/** What the check compares. */
export interface MigrationInput {
  oldFeed: FeedRead;
  /** The old site's root, absolute, ending in `/`: old links are read relative to it. */
  oldBase: string;
  /** The address readers subscribed to, if known: its counterpart in the build is the feed they will read. */
  oldFeedUrl?: string;
  /** The new site's root, absolute, ending in `/`: alias targets and new feed links are read relative to it. */
  newBase: string;
  newFeeds: NewFeed[];
  readFile: ReadSiteFile;
}

/** Whether an old item's id is still in the feed its readers will read. */
export type IdCheck =
  | { status: 'kept'; feed: string }
  /** In the new feed's window but not there: readers would show the post again. */
  | { status: 'lost'; reason: string; newId?: string; alsoIn?: string[] }
  /** Not in the new feed and older than its oldest item: a reader never sees it, so it cannot reappear. */
  | { status: 'outside-window'; oldest: string }
  | { status: 'no-id' };

/** Whether an old address still leads to a page in the built folder. */
export type AddressCheck =
  | { status: 'resolves'; path: string; file: string; via: string[] }
  | { status: 'dead' | 'loop' | 'too-many-hops'; path: string; reason: string; via: string[] }
  /** Not an address of the old site (another host, or outside its root): nothing here can serve it. */
  | { status: 'off-site'; link: string }
  | { status: 'no-link' };

export type TitleCheck =
  | { status: 'same' }
  | { status: 'changed'; newTitle: string; feed: string }
  | { status: 'not-compared'; reason: string };

/** fail: an id lost or an address dead; warn: a title changed, an unchecked link, or more than one alias hop. */
export type Verdict = 'ok' | 'warn' | 'fail';

/** The verdict for one old item. */
export interface ItemCheck {
  verdict: Verdict;
  title?: string;
  id?: string;
  link?: string;
  date?: string;
  idCheck: IdCheck;
  address: AddressCheck;
  titleCheck: TitleCheck;
}

/** Where the old feed's own address leads in the build. */
export type FeedAddressCheck =
  | { status: 'feed'; path: string; file: string; format: FeedFormat }
  | { status: 'alias'; path: string; file: string; target: string }
  | { status: 'missing'; path: string }
  | { status: 'unknown' | 'off-site'; reason: string };

/** A new feed's item that readers of the old feed never saw, yet is not a new post: most readers show it as new. */
export interface UnseenItem {
  feed: string;
  id?: string;
  title?: string;
  date?: string;
}

export interface MigrationSummary {
  items: number;
  ids: { kept: number; lost: number; outsideWindow: number; noId: number };
  addresses: { resolve: number; fail: number; offSite: number; noLink: number };
  titles: { same: number; changed: number; notCompared: number };
  unseen: number;
  /** False when an id is lost, an address does not resolve, or the old feed's address has nothing at it. */
  ok: boolean;
}

export interface MigrationReport {
  /** The new feeds the ids were looked for in: the one at the old feed's address, else those of its format. */
  comparedWith: string[];
  /** Why those feeds. */
  comparedBecause: string;
  feedAddress: FeedAddressCheck;
  items: ItemCheck[];
  unseen: UnseenItem[];
  summary: MigrationSummary;
}

/** Alias pages followed from one address before giving up: a longer chain is a mistake in the aliases. */
export const MAX_ALIAS_HOPS = 5;

/**
 * A URL's path relative to a site root, with a leading `/`; undefined when the URL is on another host or outside
 * the root. The scheme is ignored (an old http link still names the https site's page); query and fragment are dropped.
 * @example sitePathOf('https://old.example/blog/2020/fish/#top', 'https://old.example/blog/') // '/2020/fish/'
 */
export const sitePathOf = (url: string, base: string): string | undefined => {
  let target: URL;
  let root: URL;
  try {
    target = new URL(url, base);
    root = new URL(base);
  } catch {
    return undefined;
  }
  if (target.host.toLowerCase() !== root.host.toLowerCase()) return undefined;
  const rootPath = root.pathname.endsWith('/') ? root.pathname : `${root.pathname}/`;
  if (`${target.pathname}/` === rootPath) return '/';
  if (!target.pathname.startsWith(rootPath)) return undefined;
  return `/${target.pathname.slice(rootPath.length)}`;
};

/**
 * The file that serves a site path: `/a/b/` and `/a/b` (which the host redirects to `/a/b/`) are `a/b/index.html`,
 * a path whose last segment has an extension is that file. Percent-escapes are decoded, as file names are.
 * @example fileForPath('/2020/fish/') // '2020/fish/index.html'
 * @example fileForPath('/old/page.html') // 'old/page.html'
 */
export const fileForPath = (path: string): string => addressFile(path);

const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

const attributesOf = (tag: string): Map<string, string> => {
  const attributes = new Map<string, string>();
  for (const match of tag.replace(/^<meta/i, '').matchAll(ATTRIBUTE)) {
    const name = match[1]?.toLowerCase();
    if (name) attributes.set(name, decodeHTML(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
};

/**
 * Where an alias page sends its reader: the URL of its `<meta http-equiv="refresh" content="0; url=...">`, or
 * undefined for an ordinary page.
 * @example aliasTargetOf('<meta http-equiv="refresh" content="0; url=https://x.example/a/">') // 'https://x.example/a/'
 */
export const aliasTargetOf = (page: string): string | undefined => {
  for (const [tag] of page.matchAll(/<meta\b[^>]*>/gi)) {
    const attributes = attributesOf(tag);
    if (attributes.get('http-equiv')?.toLowerCase() !== 'refresh') continue;
    const url = /url\s*=\s*['"]?([^'"]+)['"]?\s*$/i.exec(attributes.get('content') ?? '')?.[1]?.trim();
    if (url) return url;
  }
  return undefined;
};

/**
 * A title as a reader sees it: HTML entities decoded, white space collapsed and trimmed.
 * @example normalizeTitle('  Fish &amp;\n chips ') // 'Fish & chips'
 */
export const normalizeTitle = (title: string): string => decodeHTML(title).replace(/\s+/g, ' ').trim();

/**
 * Follows a site path through alias pages to the page that serves it, at most MAX_ALIAS_HOPS aliases deep.
 * Alias targets may name the new site (newBase) or the old one (oldBase); anything else leaves the site.
 */
export const resolveAddress = async (
  path: string,
  sites: { oldBase: string; newBase: string },
  readFile: ReadSiteFile,
): Promise<AddressCheck> => {
  const via: string[] = [];
  let current = path;
  for (;;) {
    const file = fileForPath(current);
    if (via.includes(file)) {
      return { status: 'loop', path, reason: `alias loop: ${[...via, file].join(' -> ')}`, via };
    }
    const page = await readFile(file);
    if (page === undefined) {
      const reason =
        via.length === 0 ? `no file ${file}` : `alias ${via.at(-1)} leads to ${current}, but there is no file ${file}`;
      return { status: 'dead', path, reason, via };
    }
    const target = aliasTargetOf(page);
    if (target === undefined) return { status: 'resolves', path, file, via };
    via.push(file);
    if (via.length > MAX_ALIAS_HOPS) {
      return { status: 'too-many-hops', path, reason: `more than ${MAX_ALIAS_HOPS} aliases: ${via.join(' -> ')}`, via };
    }
    const absolute = new URL(target, new URL(current.slice(1), sites.newBase)).href;
    const next = sitePathOf(absolute, sites.newBase) ?? sitePathOf(absolute, sites.oldBase);
    if (next === undefined) {
      return { status: 'dead', path, reason: `alias ${file} sends readers off the site, to ${absolute}`, via };
    }
    current = next;
  }
};

/** What a feed reader keys an item on: its id, else (RSS without a guid) its link. */
const readerKeyOf = (item: FeedItemRead): string | undefined => item.id ?? item.link;

/** The new feeds whose ids count, and why: the one at the old feed's address, else those of the old format, else all. */
const chooseFeeds = (input: MigrationInput, feedAddress: FeedAddressCheck): { feeds: NewFeed[]; because: string } => {
  if (feedAddress.status === 'feed') {
    const atAddress = input.newFeeds.filter((feed) => feed.file === feedAddress.file);
    if (atAddress.length > 0)
      return { feeds: atAddress, because: `it is at the old feed's address ${feedAddress.path}` };
  }
  const sameFormat = input.newFeeds.filter((feed) => feed.feed.format === input.oldFeed.format);
  if (sameFormat.length > 0) return { feeds: sameFormat, because: `they have the old feed's format` };
  return { feeds: input.newFeeds, because: 'no new feed has the old feed\u2019s format' };
};

const checkFeedAddress = async (input: MigrationInput): Promise<FeedAddressCheck> => {
  if (input.oldFeedUrl === undefined) {
    return { status: 'unknown', reason: 'the old feed names no address of its own (no rel="self" link)' };
  }
  const path = sitePathOf(input.oldFeedUrl, input.oldBase);
  if (path === undefined) return { status: 'off-site', reason: `${input.oldFeedUrl} is not below ${input.oldBase}` };
  const file = fileForPath(path);
  const feed = input.newFeeds.find((candidate) => candidate.file === file);
  if (feed) return { status: 'feed', path, file, format: feed.feed.format };
  const page = await input.readFile(file);
  const target = page === undefined ? undefined : aliasTargetOf(page);
  if (target !== undefined) return { status: 'alias', path, file, target };
  return { status: 'missing', path };
};

const timeOf = (date: string | undefined): number | undefined => {
  if (date === undefined) return undefined;
  const time = Date.parse(date);
  return Number.isNaN(time) ? undefined : time;
};

/** The oldest dated item across the feeds: older old items are outside what a reader of the new feed sees. */
const oldestOf = (feeds: NewFeed[]): number | undefined => {
  const times = feeds
    .flatMap((feed) => feed.feed.items.map((item) => timeOf(item.date)))
    .filter((t) => t !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
};

interface Counterpart {
  feed: string;
  item: FeedItemRead;
}

const checkId = (
  item: FeedItemRead,
  byKey: Counterpart | undefined,
  byAddress: Counterpart | undefined,
  others: NewFeed[],
  oldest: number | undefined,
  compared: string,
): IdCheck => {
  const key = readerKeyOf(item);
  if (key === undefined) return { status: 'no-id' };
  if (byKey) return { status: 'kept', feed: byKey.feed };
  const alsoIn = others
    .filter((feed) => feed.feed.items.some((other) => readerKeyOf(other) === key))
    .map((f) => f.file);
  const extra = alsoIn.length > 0 ? { alsoIn } : {};
  if (byAddress) {
    const newId = readerKeyOf(byAddress.item);
    return {
      status: 'lost',
      reason: `the post is in ${byAddress.feed} under another id`,
      ...(newId === undefined ? {} : { newId }),
      ...extra,
    };
  }
  const time = timeOf(item.date);
  if (time !== undefined && oldest !== undefined && time < oldest) {
    return { status: 'outside-window', oldest: new Date(oldest).toISOString() };
  }
  const reason =
    time === undefined
      ? `not in ${compared}, and the old item has no date to place it before the new feed's oldest item`
      : `not in ${compared}, though the post is within its dates`;
  return { status: 'lost', reason, ...extra };
};

const checkTitle = (item: FeedItemRead, counterpart: Counterpart | undefined): TitleCheck => {
  if (!counterpart) return { status: 'not-compared', reason: 'the post is not in the new feeds' };
  const before = normalizeTitle(item.title ?? '');
  const after = normalizeTitle(counterpart.item.title ?? '');
  return before === after ? { status: 'same' } : { status: 'changed', newTitle: after, feed: counterpart.feed };
};

const isFailure = (address: AddressCheck): boolean =>
  address.status === 'dead' || address.status === 'loop' || address.status === 'too-many-hops';

const verdictOf = (check: Omit<ItemCheck, 'verdict'>): Verdict => {
  if (check.idCheck.status === 'lost' || isFailure(check.address)) return 'fail';
  const warned =
    check.titleCheck.status === 'changed' ||
    check.address.status === 'off-site' ||
    check.address.status === 'no-link' ||
    check.idCheck.status === 'no-id' ||
    (check.address.status === 'resolves' && check.address.via.length > 1);
  return warned ? 'warn' : 'ok';
};

const summarize = (items: ItemCheck[], unseen: number, feedAddress: FeedAddressCheck): MigrationSummary => {
  const count = (test: (item: ItemCheck) => boolean) => items.filter(test).length;
  const ids = {
    kept: count((i) => i.idCheck.status === 'kept'),
    lost: count((i) => i.idCheck.status === 'lost'),
    outsideWindow: count((i) => i.idCheck.status === 'outside-window'),
    noId: count((i) => i.idCheck.status === 'no-id'),
  };
  const addresses = {
    resolve: count((i) => i.address.status === 'resolves'),
    fail: count((i) => isFailure(i.address)),
    offSite: count((i) => i.address.status === 'off-site'),
    noLink: count((i) => i.address.status === 'no-link'),
  };
  const titles = {
    same: count((i) => i.titleCheck.status === 'same'),
    changed: count((i) => i.titleCheck.status === 'changed'),
    notCompared: count((i) => i.titleCheck.status === 'not-compared'),
  };
  const ok = ids.lost === 0 && addresses.fail === 0 && feedAddress.status !== 'missing';
  return { items: items.length, ids, addresses, titles, unseen, ok };
};

/**
 * Compares an old site's feed with a built site: per old item, whether its id is kept in the feed its readers will
 * read (unless the post is older than that feed's oldest item), whether its address leads to a page, and whether its
 * title is the same; plus where the old feed's own address leads, and the new feed's items that readers never saw.
 * @example const report = await checkMigration({ oldFeed, oldBase, newBase, newFeeds, readFile });
 */
export const checkMigration = async (input: MigrationInput): Promise<MigrationReport> => {
  const sites = { oldBase: input.oldBase, newBase: input.newBase };
  const cache = new Map<string, Promise<AddressCheck>>();
  const resolvePath = (path: string) => {
    let found = cache.get(path);
    if (!found) {
      found = resolveAddress(path, sites, input.readFile);
      cache.set(path, found);
    }
    return found;
  };

  const feedAddress = await checkFeedAddress(input);
  const { feeds, because } = chooseFeeds(input, feedAddress);
  const compared = feeds.map((feed) => feed.file).join(', ');
  const others = input.newFeeds.filter((feed) => !feeds.includes(feed));
  const oldest = oldestOf(feeds);

  const byKey = new Map<string, Counterpart>();
  const byFile = new Map<string, Counterpart>();
  for (const { file, feed } of feeds) {
    for (const item of feed.items) {
      const key = readerKeyOf(item);
      if (key !== undefined && !byKey.has(key)) byKey.set(key, { feed: file, item });
      const path =
        item.link === undefined
          ? undefined
          : (sitePathOf(item.link, input.newBase) ?? sitePathOf(item.link, input.oldBase));
      if (path === undefined) continue;
      const address = await resolvePath(path);
      if (address.status === 'resolves' && !byFile.has(address.file)) byFile.set(address.file, { feed: file, item });
    }
  }

  const matched = new Set<FeedItemRead>();
  const items: ItemCheck[] = [];
  for (const item of input.oldFeed.items) {
    const address = await checkAddress(item, input.oldBase, resolvePath);
    const key = readerKeyOf(item);
    const sameKey = key === undefined ? undefined : byKey.get(key);
    const sameFile = address.status === 'resolves' ? byFile.get(address.file) : undefined;
    const counterpart = sameKey ?? sameFile;
    if (counterpart) matched.add(counterpart.item);
    const check = {
      ...item,
      idCheck: checkId(item, sameKey, sameFile, others, oldest, compared),
      address,
      titleCheck: checkTitle(item, counterpart),
    };
    items.push({ verdict: verdictOf(check), ...check });
  }

  const oldKeys = new Set(input.oldFeed.items.map(readerKeyOf));
  const newestOld = Math.max(...input.oldFeed.items.map((item) => timeOf(item.date) ?? Number.NEGATIVE_INFINITY));
  const unseen = feeds.flatMap(({ file, feed }) =>
    feed.items
      .filter((item) => !matched.has(item) && !oldKeys.has(readerKeyOf(item)))
      .filter((item) => (timeOf(item.date) ?? Number.POSITIVE_INFINITY) <= newestOld)
      .map((item) => ({ feed: file, ...item })),
  );

  return {
    comparedWith: feeds.map((feed) => feed.file),
    comparedBecause: because,
    feedAddress,
    items,
    unseen,
    summary: summarize(items, unseen.length, feedAddress),
  };
};

const checkAddress = async (
  item: FeedItemRead,
  oldBase: string,
  resolvePath: (path: string) => Promise<AddressCheck>,
): Promise<AddressCheck> => {
  if (item.link === undefined) return { status: 'no-link' };
  let url: URL;
  try {
    url = new URL(item.link, oldBase);
  } catch {
    return { status: 'off-site', link: item.link };
  }
  const path = sitePathOf(url.href, oldBase);
  if (path === undefined) return { status: 'off-site', link: url.href };
  if (url.search !== '') {
    return {
      status: 'dead',
      path: `${path}${url.search}`,
      reason: `the address has a query (${url.search}); a static host ignores it and serves ${path}, not this post. Give the post an alias at a plain path and redirect the old one at the host`,
      via: [],
    };
  }
  return resolvePath(path);
};
