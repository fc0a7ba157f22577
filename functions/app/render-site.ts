import { ConflictError } from '../core/errors.ts';
import {
  addressOfName,
  isAddress,
  monthPagePath,
  monthSitemapPath,
  pageNameOfAddress,
  postPagePath,
} from '../core/paths.ts';
import { toSummary } from '../core/posts/published-post.ts';
import {
  allEntries,
  groupByTag,
  type Neighbours,
  neighboursOf,
  staleByArchiveChange,
  type TagGroup,
  toArchiveEntry,
} from '../core/site/archive-entries.ts';
import { inSection, renderSectionFeedFile, sectionFeeds } from '../core/site/feed-paths.ts';
import {
  aliasFileOf,
  isCompanion,
  renderArchiveFile,
  renderFeedFiles,
  renderIndexFile,
  renderMonthFile,
  renderPostFile,
  renderSiteWideFiles,
  renderSubscribeFile,
  renderTagFiles,
  tagFeedFiles,
  tagFilePaths,
} from '../core/site/public-files.ts';
import type { MonthRef, PostSummary, PublicFile, PublishedPost, SiteConfig } from '../core/types.ts';
import { FEEDS_KEY, monthKey, monthOfKey, postKey, slugOfKey, tagKey, tagOfKey } from './dirty-keys.ts';
import type { Logger } from './logger.ts';
import type { ContentStore, DirtyMark, DirtyMarks, NameClaims, PostArchive, RenderLock, SourceIndex } from './ports.ts';

export interface RenderDeps {
  content: ContentStore;
  /** Post pages and tag feeds are rendered from the source records. */
  sources: Pick<SourceIndex, 'getSource' | 'getSources'>;
  /** Which source holds a slug (its post page). */
  claims: Pick<NameClaims, 'getClaim'>;
  dirtyMarks: DirtyMarks;
  renderLock: RenderLock;
  archive: PostArchive;
  site: SiteConfig;
  now: () => Date;
  log: Logger;
  /** Unique per invocation: who holds the render lock. */
  owner: string;
  sleep: (ms: number) => Promise<void>;
  /** How long the render lock is held before others may take it over (a crashed holder's lease runs out). */
  leaseMs?: number;
  /** Give up waiting after this long (the event is then retried). */
  waitMs?: number;
  /** Theme files copied to the site root whenever the index is rendered (the stylesheet). */
  staticFiles?: PublicFile[];
}

/**
 * Longer than the function's timeout (30 s): a live renderer can never be overtaken, so a stale write can only
 * come from a renderer that has already died. Renderers also renew the lease as they go and stop if they lose it.
 */
const DEFAULT_LEASE_MS = 40_000;
const DEFAULT_WAIT_MS = 25_000;
/** Post pages rendered at once within a pass. */
const PAGE_CONCURRENCY = 8;

/** Thrown inside a pass when the lease is gone or time is up: stop writing at once. */
class PassInterrupted extends Error {
  constructor(readonly reason: 'lease lost' | 'out of time') {
    super(reason);
  }
}

/**
 * Returns once everything up to `revision` is public, rendering it ourselves when nobody else is.
 *
 * Timeline that makes this safe: a change is (1) marked dirty, (2) written to the index, (3) marked dirty again,
 * (4) counted by bumping the site revision, and only then (5) waits here. A renderer reads the revision before it
 * lists dirty marks, so the revision it records as rendered covers every change counted before it: such a
 * change's second marks were listed, or were never cleared. One renderer at a time holds a lease in the table;
 * a waiter whose change is not yet covered takes the lease when it is free or expired, or polls. Nobody returns
 * before its own change is public, so a crash anywhere leaves the event to be retried, never a change unrendered.
 */
export const renderUntil = async (revision: number, deps: RenderDeps): Promise<void> => {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const deadline = deps.now().getTime() + (deps.waitMs ?? DEFAULT_WAIT_MS);
  let pause = 25;
  let target = revision;
  for (;;) {
    const state = await deps.renderLock.getSiteState();
    if (state.renderedRevision >= target) return;
    if (await deps.renderLock.tryLock(deps.owner, deps.now().getTime(), leaseMs)) {
      const remarked = await renderPass(deps, leaseMs, deadline);
      if (remarked !== undefined) target = Math.max(target, remarked);
      continue;
    }
    if (deps.now().getTime() > deadline) {
      throw new ConflictError(`revision ${target} was not rendered within the wait; the event will be retried`);
    }
    await deps.sleep(pause + Math.floor(Math.random() * pause));
    pause = Math.min(pause * 2, 400);
  }
};

/**
 * Holding the lease: render what is dirty, clearing each mark as soon as its output is written, then record the
 * revision. A pass that runs out of time stops between outputs, keeps its progress and fails the invocation for
 * a retry, so a large batch (a whole blog uploaded at once) is worked through in bounded steps. A pass that finds
 * its lease gone marks what it wrote dirty again, counts a new revision and returns it for the caller to wait for,
 * because another renderer may have written newer files that its late writes overwrote.
 */
const renderPass = async (deps: RenderDeps, leaseMs: number, deadline: number): Promise<number | undefined> => {
  const { revision } = await deps.renderLock.getSiteState();
  const marks = await deps.dirtyMarks.listDirty();
  const checkpoint = async (): Promise<void> => {
    if (deps.now().getTime() > deadline) throw new PassInterrupted('out of time');
    if (!(await deps.renderLock.renewLease(deps.owner, deps.now().getTime(), leaseMs)))
      throw new PassInterrupted('lease lost');
  };
  try {
    const reachedMore = await renderMarks(marks, deps, checkpoint);
    if (!(await deps.renderLock.markRendered(deps.owner, revision, deps.now().getTime(), leaseMs))) {
      throw new PassInterrupted('lease lost');
    }
    await deps.renderLock.unlock(deps.owner);
    // The neighbours and tags this change reached were marked during the pass: count them, and wait for them too.
    return reachedMore ? deps.renderLock.bumpRevision() : undefined;
  } catch (error) {
    if (!(error instanceof PassInterrupted)) throw error;
    if (error.reason === 'out of time') {
      await deps.renderLock.unlock(deps.owner);
      throw new ConflictError('rendering did not finish in time; progress is kept and the event will be retried');
    }
    deps.log.warn('render lease ran out mid-render; rendering its outputs again', { owner: deps.owner, revision });
    await deps.dirtyMarks.markDirty([...new Set(marks.map((mark) => mark.key))]);
    return deps.renderLock.bumpRevision();
  }
};

/**
 * Renders the outputs named by dirty marks and clears each mark once its output is written; cost depends on what
 * changed, not on how many posts exist. `checkpoint` runs before each write and may stop the pass.
 *
 * The stored months carry the archive's entries, so the whole archive is known without reading a post. Comparing
 * the entries before and after the dirty months tells which other outputs the change reached (the neighbours whose
 * previous/next links changed, the tags whose pages changed); those are marked dirty before anything is written,
 * so a crash cannot lose them, and rendered by the next pass. Returns true when it marked any.
 */
export const renderMarks = async (
  marks: DirtyMark[],
  deps: RenderDeps,
  checkpoint: () => Promise<void> = async () => {},
): Promise<boolean> => {
  if (marks.length === 0) return false;
  const stored = await deps.archive.listMonths();
  const dirtyMonths = new Set(marks.map((mark) => monthOfKey(mark.key)).filter((month) => month !== undefined));
  // Months stored before entries were kept are read once, as if dirty, to fill their entries in.
  for (const ref of stored) if (!ref.posts) dirtyMonths.add(ref.month);
  const months = new Map(stored.map((ref) => [ref.month, ref]));
  const postsByMonth = new Map<string, PostSummary[]>();
  for (const month of dirtyMonths) {
    const posts = await deps.archive.postsInMonth(month);
    postsByMonth.set(month, posts);
    if (posts.length === 0) months.delete(month);
    else months.set(month, { month, count: posts.length, posts: posts.map(toArchiveEntry) });
  }
  const monthList = [...months.values()].sort((a, b) => (a.month < b.month ? 1 : -1));
  const storedKeys = new Set(stored.map((ref) => ref.month));
  const changedMonths = symmetricDifference(storedKeys, new Set(months.keys()));
  const entries = allEntries(monthList);

  const postSlugs = new Set(marks.map((mark) => slugOfKey(mark.key)).filter((slug) => slug !== undefined));
  const tagSlugs = new Set(marks.map((mark) => tagOfKey(mark.key)).filter((tag) => tag !== undefined));
  const entriesBefore = allEntries(stored);
  const reached = staleByArchiveChange(entriesBefore, entries);
  // Month pages link to their neighbours: when a month appears or disappears, the neighbours change too. Rendering
  // them now from months not yet stored would let a crash leave them stale: the retry, seeing the months stored
  // before, finds nothing changed. They are marked instead, like the posts and tags a change reaches.
  const neighbours = new Set(changedMonths.flatMap((month) => neighbouringMonths(month, monthList)));
  const more = [
    ...[...reached.posts].filter((slug) => !postSlugs.has(slug)).map(postKey),
    ...[...reached.tags].filter((tag) => !tagSlugs.has(tag)).map(tagKey),
    ...[...neighbours].filter((month) => !dirtyMonths.has(month)).map(monthKey),
  ];
  if (more.length > 0) await deps.dirtyMarks.markDirty(more);

  for (const month of isCompanion(deps.site) ? [] : dirtyMonths) {
    const posts = postsByMonth.get(month) ?? (months.has(month) ? await deps.archive.postsInMonth(month) : []);
    await checkpoint();
    if (posts.length === 0) {
      await deps.content.deletePublic(monthPagePath(month));
      await deps.content.deletePublic(monthSitemapPath(month));
    } else {
      for (const file of renderMonthFile(month, posts, monthList, deps.site)) await deps.content.writePublic(file);
    }
  }

  const postMarks = marks.filter((mark) => slugOfKey(mark.key) !== undefined);
  for (let i = 0; i < postMarks.length; i += PAGE_CONCURRENCY) {
    const chunk = postMarks.slice(i, i + PAGE_CONCURRENCY);
    await checkpoint();
    await Promise.all(
      chunk.map((mark) => {
        const slug = slugOfKey(mark.key) ?? '';
        return renderPostPage(slug, monthList, neighboursOf(entries, slug), deps);
      }),
    );
    for (const mark of chunk) await deps.dirtyMarks.clearDirty(mark);
  }

  const tags = groupByTag(entries);
  // The spellings each tag had, for the `:tag` feed files of one no post uses any more.
  const tagsBefore = tagSlugs.size > 0 ? groupByTag(entriesBefore) : new Map<string, TagGroup>();
  for (const slug of tagSlugs) {
    await checkpoint();
    await renderTag(slug, tags.get(slug), deps, tagsBefore.get(slug));
  }

  if (marks.some((mark) => mark.key === FEEDS_KEY) || changedMonths.length > 0) {
    const limit = Math.max(deps.site.feedSize, deps.site.pageSize);
    const newest = uniqueById(await deps.archive.newestPosts(limit), deps);
    await checkpoint();
    const sections = sectionFeeds(
      deps.site,
      entries.map((entry) => entry.sourcePath),
    );
    const siteFeeds = renderFeedFiles(
      newest.slice(0, deps.site.feedSize),
      deps.site,
      deps.now(),
      new Set(sections.map(({ section }) => section)),
    );
    for (const file of siteFeeds) await deps.content.writePublic(file);
    // A section's feed carries its own newest posts, read like a tag's.
    for (const { section, file } of sections) {
      const wanted = entries.filter((entry) => inSection(entry.sourcePath, section)).slice(0, deps.site.feedSize);
      const records = await deps.sources.getSources(wanted.map((entry) => entry.sourcePath));
      const posts = uniqueById(
        records.flatMap((record) => (record.status === 'published' && record.post ? [record.post] : [])),
        deps,
      );
      for (const feed of renderSectionFeedFile(section, file, posts, deps.site, deps.now()))
        await deps.content.writePublic(feed);
    }
    await deps.content.writePublic(
      renderIndexFile(newest.slice(0, deps.site.pageSize).map(toSummary), monthList, deps.site),
    );
    await deps.content.writePublic(renderSubscribeFile(deps.site));
    const siteWide = [
      ...(isCompanion(deps.site) ? [] : [renderArchiveFile(monthList, deps.site)]),
      ...renderSiteWideFiles(monthList, deps.site),
    ];
    for (const file of siteWide) await deps.content.writePublic(file);
    for (const file of deps.staticFiles ?? []) await deps.content.writePublic(file);
  }

  // Months are stored last: until then a retried pass still sees the months as changed and re-renders
  // the neighbours of a month that appeared or disappeared, and finds the same outputs reached.
  const before = new Map(stored.map((ref) => [ref.month, ref]));
  for (const [month, ref] of months)
    if (JSON.stringify(before.get(month)) !== JSON.stringify(ref)) await deps.archive.putMonth(ref);
  for (const month of storedKeys) if (!months.has(month)) await deps.archive.putMonth({ month, count: 0 });
  for (const mark of marks) if (slugOfKey(mark.key) === undefined) await deps.dirtyMarks.clearDirty(mark);
  return more.length > 0;
};

const renderPostPage = async (
  slug: string,
  months: MonthRef[],
  neighbours: Neighbours,
  deps: RenderDeps,
): Promise<void> => {
  if (isCompanion(deps.site)) return;
  const claim = await deps.claims.getClaim(`slug:${slug}`);
  const record = claim ? await deps.sources.getSource(claim.owner) : undefined;
  if (record?.status === 'published' && record.post?.slug === slug) {
    await deps.content.writePublic(renderPostFile(record.post, months, deps.site, neighbours));
    return;
  }
  // The same file under its other name (`/posts/hello/` is the slug `hello`'s page) is rendered by that name's mark.
  const otherName = isAddress(slug) ? pageNameOfAddress(slug) : addressOfName(slug);
  if (otherName !== slug) {
    const other = await deps.claims.getClaim(`slug:${otherName}`);
    const owner = other ? await deps.sources.getSource(other.owner) : undefined;
    if (owner?.status === 'published' && owner.post?.slug === otherName) return;
  }
  // The same file under another spelling of a kept address is rendered by that page's own mark.
  const path = postPagePath(slug);
  const page = await deps.claims.getClaim(`file:${path}`);
  const pageOwner = page ? await deps.sources.getSource(page.owner) : undefined;
  if (pageOwner?.status === 'published' && pageOwner.post && postPagePath(pageOwner.post.slug) === path) return;
  // No page here: an old address of a post answers with a redirect to it, anything else is gone. Old addresses are
  // claimed by file, so every spelling of one renders the same alias.
  const alias = await deps.claims.getClaim(`alias:${path}`);
  const target = alias ? await deps.sources.getSource(alias.owner) : undefined;
  const file = target?.status === 'published' && target.post ? aliasFileOf(slug, target.post, deps.site) : undefined;
  if (file) await deps.content.writePublic(file);
  else await deps.content.deletePublic(path);
};

/** A tag's page and feeds, with its newest posts read in full for the feeds; deleted once no post has the tag. */
const renderTag = async (
  slug: string,
  group: TagGroup | undefined,
  deps: RenderDeps,
  before: TagGroup | undefined,
): Promise<void> => {
  // Files named by a spelling of the tag no post uses any more (a `:tag` feed path) go, like a tag no post has.
  const kept = new Set(group ? tagFilePaths(slug, deps.site, group.names) : []);
  const gone = tagFilePaths(slug, deps.site, before?.names ?? [slug]).filter((path) => !kept.has(path));
  for (const path of gone) await deps.content.deletePublic(path);
  if (!group) return;
  const records = await deps.sources.getSources(
    group.entries.slice(0, deps.site.feedSize).map((entry) => entry.sourcePath),
  );
  const newest = uniqueById(
    records.flatMap((record) => (record?.status === 'published' && record.post ? [record.post] : [])),
    deps,
  );
  const files = renderTagFiles(group, newest, deps.site, deps.now());
  for (const file of isCompanion(deps.site) ? tagFeedFiles(files) : files) await deps.content.writePublic(file);
};

/**
 * Feed ids are unique by construction (claims); should two records ever carry one id, the newer wins and the
 * inconsistency is logged rather than blocking every later publish.
 */
const uniqueById = (posts: PublishedPost[], deps: Pick<RenderDeps, 'log'>): PublishedPost[] => {
  const seen = new Set<string>();
  return posts.filter((post) => {
    if (!seen.has(post.id)) return seen.add(post.id);
    deps.log.error('two published posts share a feed id; the older is left out of the feeds', {
      id: post.id,
      sourcePath: post.sourcePath,
    });
    return false;
  });
};

const symmetricDifference = (a: Set<string>, b: Set<string>): string[] => [
  ...[...a].filter((x) => !b.has(x)),
  ...[...b].filter((x) => !a.has(x)),
];

/** The months just newer and just older than `month` among those that exist (which may not include it). */
const neighbouringMonths = (month: string, months: MonthRef[]): string[] => {
  const newer = [...months].reverse().find((ref) => ref.month > month);
  const older = months.find((ref) => ref.month < month);
  return [newer?.month, older?.month].filter((m): m is string => m !== undefined);
};
