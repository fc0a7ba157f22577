import { ConflictError } from '../core/errors.ts';
import { monthPagePath, postPagePath } from '../core/paths.ts';
import { toSummary } from '../core/published-post.ts';
import {
  renderArchiveFile,
  renderFeedFiles,
  renderIndexFile,
  renderMonthFile,
  renderPostFile,
} from '../core/site-files.ts';
import type { MonthRef, PublicFile, PublishedPost, SiteConfig } from '../core/types.ts';
import type { Logger } from './logger.ts';
import type { ContentStore, DirtyMark, PostIndex } from './ports.ts';
import { FEEDS_KEY } from './reconcile-source.ts';

export interface RenderDeps {
  content: ContentStore;
  index: PostIndex;
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

const DEFAULT_LEASE_MS = 20_000;
const DEFAULT_WAIT_MS = 25_000;

/**
 * Returns once everything up to `revision` is public, rendering it ourselves when nobody else is.
 *
 * Timeline that makes this safe: a change is (1) written to the index, (2) marked dirty, (3) counted by bumping
 * the site revision, and only then (4) waits here. A renderer reads the revision before it lists dirty marks, so
 * whatever revision it records as rendered covers every mark made before that revision was counted. One renderer
 * at a time (a lease in the table); a waiter whose change is not yet covered either takes the lock when it is free
 * or expired, or polls. Nobody returns before its own change is public, so a crash anywhere leaves the event to be
 * retried, never a change silently unrendered.
 */
export const renderUntil = async (revision: number, deps: RenderDeps): Promise<void> => {
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const deadline = deps.now().getTime() + (deps.waitMs ?? DEFAULT_WAIT_MS);
  let pause = 25;
  let target = revision;
  for (;;) {
    const state = await deps.index.getSiteState();
    if (state.renderedRevision >= target) return;
    if (await deps.index.tryLock(deps.owner, deps.now().getTime(), leaseMs)) {
      const remarked = await renderWhileChanging(deps, leaseMs);
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
 * Holding the lock: render what is dirty, record it, and go again while changes keep arriving.
 *
 * A renderer slower than its lease may find, at the end, that another took over and published newer files,
 * which its own late writes may then have overwritten. It cannot know, so it marks everything it wrote dirty
 * again and counts a new revision, and returns that revision for its caller to wait for: the next render
 * rewrites those files from the current state.
 */
const renderWhileChanging = async (deps: RenderDeps, leaseMs: number): Promise<number | undefined> => {
  for (;;) {
    const { revision } = await deps.index.getSiteState();
    const marks = await deps.index.listDirty();
    await renderMarks(marks, deps);
    for (const mark of marks) await deps.index.clearDirty(mark);
    if (!(await deps.index.markRendered(deps.owner, revision, deps.now().getTime(), leaseMs))) {
      deps.log.warn('render lease ran out mid-render; rendering its outputs again', { owner: deps.owner, revision });
      await deps.index.markDirty([...new Set(marks.map((mark) => mark.key))]);
      return deps.index.bumpRevision();
    }
    if (await deps.index.unlock(deps.owner, revision)) return undefined;
  }
};

/** Renders the outputs named by dirty marks; cost depends on what changed, not on how many posts exist. */
export const renderMarks = async (marks: DirtyMark[], deps: RenderDeps): Promise<void> => {
  const keys = new Set(marks.map((mark) => mark.key));
  if (keys.size === 0) return;
  const months = new Map((await deps.index.listMonths()).map((ref) => [ref.month, ref.count]));
  const before = new Set(months.keys());

  for (const key of keys) {
    if (!key.startsWith('month:')) continue;
    const month = key.slice('month:'.length);
    const posts = await deps.index.postsInMonth(month);
    if ((months.get(month) ?? 0) !== posts.length) await deps.index.putMonth({ month, count: posts.length });
    if (posts.length === 0) months.delete(month);
    else months.set(month, posts.length);
  }
  const monthList = sortMonths(months);
  const monthSetChanged = before.size !== months.size || [...before].some((month) => !months.has(month));

  // Month pages link to their neighbours: when a month appears or disappears, the neighbours change too.
  const monthsToRender = new Set([...keys].filter((key) => key.startsWith('month:')).map((key) => key.slice(6)));
  if (monthSetChanged) {
    for (const month of symmetricDifference(before, new Set(months.keys()))) {
      for (const neighbour of neighboursOf(month, monthList)) monthsToRender.add(neighbour);
    }
  }
  for (const month of monthsToRender) {
    const posts = months.has(month) ? await deps.index.postsInMonth(month) : [];
    if (posts.length === 0) await deps.content.deletePublic(monthPagePath(month));
    else await deps.content.writePublic(renderMonthFile(month, posts, monthList, deps.site));
  }

  for (const key of keys) {
    if (!key.startsWith('post:')) continue;
    await renderPostPage(key.slice('post:'.length), monthList, deps);
  }

  if (keys.has(FEEDS_KEY) || monthSetChanged) {
    const limit = Math.max(deps.site.feedSize, deps.site.pageSize);
    const newest = uniqueById(await deps.index.newestPosts(limit), deps);
    for (const file of renderFeedFiles(newest.slice(0, deps.site.feedSize), deps.site, deps.now())) {
      await deps.content.writePublic(file);
    }
    await deps.content.writePublic(
      renderIndexFile(newest.slice(0, deps.site.pageSize).map(toSummary), monthList, deps.site),
    );
    await deps.content.writePublic(renderArchiveFile(monthList, deps.site));
    for (const file of deps.staticFiles ?? []) await deps.content.writePublic(file);
  }
};

const renderPostPage = async (slug: string, months: MonthRef[], deps: RenderDeps): Promise<void> => {
  const claim = await deps.index.getClaim(`slug:${slug}`);
  const record = claim ? await deps.index.getSource(claim.owner) : undefined;
  if (record?.status === 'published' && record.post?.slug === slug) {
    await deps.content.writePublic(renderPostFile(record.post, months, deps.site));
  } else {
    await deps.content.deletePublic(postPagePath(slug));
  }
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

const sortMonths = (months: Map<string, number>): MonthRef[] =>
  [...months.entries()].map(([month, count]) => ({ month, count })).sort((a, b) => (a.month < b.month ? 1 : -1));

const symmetricDifference = (a: Set<string>, b: Set<string>): string[] => [
  ...[...a].filter((x) => !b.has(x)),
  ...[...b].filter((x) => !a.has(x)),
];

/** The months just newer and just older than `month` among those that exist (which may not include it). */
const neighboursOf = (month: string, months: MonthRef[]): string[] => {
  const newer = [...months].reverse().find((ref) => ref.month > month);
  const older = months.find((ref) => ref.month < month);
  return [newer?.month, older?.month].filter((m): m is string => m !== undefined);
};
