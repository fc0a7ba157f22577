import { createHash } from 'node:crypto';
import { ConflictError } from '../core/errors.ts';
import {
  addressFile,
  addressOfName,
  canonicalAddress,
  isAddress,
  monthOf,
  pageNameOfAddress,
  postPagePath,
} from '../core/paths.ts';
import { parsePost, publicationState } from '../core/posts/parse-post.ts';
import { defaultPostId } from '../core/posts/post-id.ts';
import { toPublishedPost } from '../core/posts/published-post.ts';
import { mayHoldLiquid, preloadLiquid } from '../core/posts/templating/jekyll-liquid.ts';
import type { ContentContext } from '../core/posts/templating/template-context.ts';
import {
  alternativeSlugsOf,
  nameClashProblem,
  slugMovedProblem,
  uniqueNamesOf,
  withSlug,
} from '../core/posts/unique-names.ts';
import { formatReport, hasErrors } from '../core/problems.ts';
import type { Post, Problem, PublishedPost, SiteConfig } from '../core/types.ts';
import { FEEDS_KEY, monthKey, postKey } from './dirty-keys.ts';
import type { Logger } from './logger.ts';
import type {
  Claim,
  ContentStore,
  DepartedPost,
  DirtyMarks,
  NameClaims,
  SourceIndex,
  SourceRecord,
  SourceStatus,
} from './ports.ts';
import type { SiteContent } from './site-content.ts';

export interface ReconcileDeps {
  content: ContentStore;
  sources: SourceIndex;
  claims: NameClaims;
  /** Marks the outputs a change makes stale (the renderer clears them). */
  dirtyMarks: Pick<DirtyMarks, 'markDirty'>;
  site: SiteConfig;
  now: () => Date;
  log: Logger;
  /** The site files beside the posts (settings, templates), read once per invocation; none where absent. */
  siteContent?: () => Promise<SiteContent>;
}

export interface ReconcileOutcome {
  sourcePath: string;
  status: SourceStatus;
  problems: Problem[];
  /** False when the stored record already matched the source (a duplicate or stale event). */
  changed: boolean;
  /** The feed item id of the post the source publishes (or last published), if any. */
  postId?: string;
}

const MAX_ATTEMPTS = 8;

/**
 * Brings the index entry of one Markdown source in line with what the bucket holds now.
 *
 * Events only say "look at this key": the source is always read afresh, so duplicates, reordering and late
 * deletions converge on the bucket's current state. Each record write names the version it replaces; a
 * concurrent writer makes it fail, and the loop starts over from fresh reads.
 */
export const reconcileSource = async (sourcePath: string, deps: ReconcileDeps): Promise<ReconcileOutcome> => {
  const siteFiles = await deps.siteContent?.();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const previous = await deps.sources.getSource(sourcePath);
    const object = withSiteVersion(await deps.content.readSource(sourcePath), siteFiles);
    const now = deps.now();

    const settled =
      (previous && object && previous.etag === object.etag && !isDue(previous, now)) ||
      (!object && (!previous || previous.status === 'deleted'));
    if (settled) {
      // A retry of an invocation that crashed after writing the record finishes its claim housekeeping here.
      if (previous) await settleFormerClaims(previous, now, deps);
      return {
        sourcePath,
        status: previous?.status ?? 'deleted',
        problems: previous?.problems ?? [],
        changed: false,
        ...(previous?.post ? { postId: previous.post.id } : {}),
      };
    }

    const computed = object
      ? await computeRecord(sourcePath, object.bytes, object.etag, previous, now, deps, siteFiles?.content)
      : deletedRecord(sourcePath, previous);
    const given = (previous?.claims ?? []).filter((name) => !computed.claims.includes(name));
    const next: SourceRecord = given.length > 0 ? { ...computed, formerClaims: given } : computed;

    // Mark before writing, so a crash right after the write still leaves the outputs known to be stale...
    await deps.dirtyMarks.markDirty(dirtyKeys(previous, next, deps.site));
    try {
      await deps.sources.putSource(next);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      await releaseUnrecorded(sourcePath, next.claims, previous, deps);
      continue;
    }
    // And mark again after: a renderer that listed (and cleared) the first marks before the write rendered the
    // old state. The second marks carry new tokens, so no such renderer can clear them.
    await deps.dirtyMarks.markDirty(dirtyKeys(previous, next, deps.site));
    await settleFormerClaims(next, now, deps);
    if (hasErrors(next.problems)) {
      const located = next.problems.map((problem) => ({ ...problem, file: `posts/${problem.file}` }));
      await deps.content.writeReport(sourcePath, formatReport(`posts/${sourcePath}`, located, now));
    } else if (previous && hasErrors(previous.problems)) {
      await deps.content.writeReport(sourcePath, undefined);
    }
    return {
      sourcePath,
      status: next.status,
      problems: next.problems,
      changed: true,
      ...(next.post ? { postId: next.post.id } : {}),
    };
  }
  throw new ConflictError(
    `gave up on ${sourcePath} after ${MAX_ATTEMPTS} concurrent updates; the event will be retried`,
  );
};

/**
 * Names a source gave up: released after an edit (anyone may take them), retired after a deletion (kept, so that
 * a renamed copy can take them over with the feed id). Repeated on every reconcile, so a crash cannot leak them.
 */
const settleFormerClaims = async (record: SourceRecord, now: Date, deps: ReconcileDeps): Promise<void> => {
  for (const name of record.formerClaims ?? []) {
    if (record.status === 'deleted') await deps.claims.retireClaim(name, record.sourcePath, now.toISOString());
    else await deps.claims.releaseClaim(name, record.sourcePath);
  }
};

/** After losing a write race: give back names this attempt took that the winning record does not hold. */
const releaseUnrecorded = async (
  sourcePath: string,
  taken: string[],
  previous: SourceRecord | undefined,
  deps: ReconcileDeps,
): Promise<void> => {
  const fresh = taken.filter((name) => !previous?.claims.includes(name));
  if (fresh.length === 0) return;
  const winner = await deps.sources.getSource(sourcePath);
  for (const name of fresh) if (!winner?.claims.includes(name)) await deps.claims.releaseClaim(name, sourcePath);
};

/**
 * The version of a source as parsed: its entity tag, and the site files' fingerprint where there are any, so a
 * changed `_config.yml` or shortcode template makes every post due for parsing again.
 */
const withSiteVersion = <T extends { etag: string }>(object: T | undefined, site: SiteContent | undefined) =>
  object && site?.fingerprint ? { ...object, etag: `${object.etag}+${site.fingerprint}` } : object;

/** The name a source's exact text is claimed under (128 bits of SHA-256 tell texts apart well enough). */
const contentClaimOf = (bytes: Uint8Array): string =>
  `content:${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;

const isDue = (record: SourceRecord, now: Date): boolean =>
  record.dueAt !== undefined && Date.parse(record.dueAt) <= now.getTime();

const deletedRecord = (sourcePath: string, previous: SourceRecord | undefined): SourceRecord => {
  const post = previous?.status === 'published' ? previous.post : undefined;
  const departed: DepartedPost | undefined = post
    ? { id: post.id, slug: post.slug, ...(post.movedFrom?.length ? { movedFrom: post.movedFrom } : {}) }
    : previous?.departed;
  return {
    sourcePath,
    version: (previous?.version ?? 0) + 1,
    status: 'deleted',
    claims: [],
    problems: [],
    ...(departed ? { departed } : {}),
  };
};

const computeRecord = async (
  sourcePath: string,
  bytes: Uint8Array,
  etag: string,
  previous: SourceRecord | undefined,
  now: Date,
  deps: ReconcileDeps,
  siteFiles: ContentContext | undefined,
): Promise<SourceRecord> => {
  const version = (previous?.version ?? 0) + 1;
  if (mayHoldLiquid(bytes)) await preloadLiquid();
  // A post without a date keeps the date it was first published with.
  const undatedAt = previous?.post ? new Date(previous.post.date) : now;
  const parsed = parsePost({ sourcePath, bytes, undatedAt }, deps.site, siteFiles);
  let post = parsed.post;
  if (!post || hasErrors(parsed.problems))
    return rejectedRecord(sourcePath, version, etag, previous, parsed.problems, now);

  const claimed = await claimNames(post, previous, deps, contentClaimOf(bytes));
  if ('conflicts' in claimed) {
    return rejectedRecord(sourcePath, version, etag, previous, [...parsed.problems, ...claimed.conflicts], now);
  }
  const id = claimed.postId;
  post = claimed.post;
  const state = publicationState(post, now);
  const problems = [...parsed.problems, ...claimed.notes];
  const base = { sourcePath, version, etag, claims: claimed.names, problems };
  switch (state) {
    case 'live': {
      const stamped = stampEdit(toPublishedPost(post, id), previous?.post, now);
      const published = claimed.movedFrom.length > 0 ? { ...stamped, movedFrom: claimed.movedFrom } : stamped;
      const dueAt = post.expiresAt?.toISOString();
      return {
        ...base,
        status: 'published',
        post: published,
        month: monthOf(post.date, deps.site.timeZone),
        ...(dueAt ? { dueAt } : {}),
      };
    }
    case 'scheduled':
      return { ...base, status: 'scheduled', dueAt: (post.publishAt ?? post.date).toISOString() };
    case 'draft':
      return { ...base, status: 'draft' };
    case 'expired':
      return { ...base, status: 'expired' };
  }
};

/**
 * Feed readers notice edits by the updated date. When the author gives none (no `lastmod`), an upload that changes
 * what readers see is dated by when it was published; a re-upload of the same text keeps the date it had.
 */
const stampEdit = (next: PublishedPost, previous: PublishedPost | undefined, now: Date): PublishedPost => {
  if (next.updated !== undefined || previous === undefined) return next;
  if (readsTheSame(next, previous))
    return previous.updated === undefined ? next : { ...next, updated: previous.updated };
  return now.getTime() > Date.parse(next.date) ? { ...next, updated: now.toISOString() } : next;
};

const readsTheSame = (a: PublishedPost, b: PublishedPost): boolean =>
  a.title === b.title &&
  a.html === b.html &&
  a.summary === b.summary &&
  a.url === b.url &&
  a.image === b.image &&
  JSON.stringify([a.tags, a.categories, a.authors]) === JSON.stringify([b.tags, b.categories, b.authors]);

/**
 * A rejected edit leaves the last good version online: the author gets a report, readers keep the post...
 */
const rejectedRecord = (
  sourcePath: string,
  version: number,
  etag: string,
  previous: SourceRecord | undefined,
  problems: Problem[],
  now: Date,
): SourceRecord => {
  // ...unless the kept version has expired meanwhile: its expiry still applies.
  const expired = previous?.dueAt !== undefined && Date.parse(previous.dueAt) <= now.getTime();
  if (previous?.status === 'published' && previous.post && !expired) {
    const { formerClaims: _settledBefore, ...kept } = previous;
    return { ...kept, version, etag, problems };
  }
  return { sourcePath, version, etag, status: 'rejected', claims: [], problems };
};

/**
 * The names taken and the feed id they settled on, with the post at the slug it got (its dated slug when another
 * post has the plain one, and `notes` saying so), or why the post cannot have them.
 */
type ClaimResult =
  | { names: string[]; postId: string; post: Post; notes: Problem[]; movedFrom: string[] }
  | { conflicts: Problem[] };

/**
 * The addresses a post had here before its latest change: those it had already left, and the address of its page
 * then (if it was live) when that is now different. Its current address is never one of them (a post moved back
 * has no redirect to itself).
 */
const formerAddressesOf = (
  before: Pick<DepartedPost, 'slug' | 'movedFrom'> | undefined,
  wasLive: boolean,
  post: Post,
): string[] => {
  if (!before) return [];
  const left = wasLive && before.slug !== post.slug ? [addressOfName(before.slug)] : [];
  // Compared as files: an old spelling of the page's own address (`/caf%c3%a9/` for `/caf%C3%A9/`) is no redirect.
  const here = addressFile(addressOfName(post.slug));
  const addresses = [...(before.movedFrom ?? []), ...left].map((address) => canonicalAddress(address));
  return [...new Set(addresses)].filter((address) => addressFile(address) !== here);
};

/** The note for an old address where another post's page is. */
const aliasOverPageProblem = (sourcePath: string, address: string, owner: string): Problem => ({
  file: sourcePath,
  field: 'aliases',
  message: `The old address ${address} is where ${owner} is published, so it cannot redirect to this post.`,
  fix: 'Remove the address from this post, or give the other post another address.',
  severity: 'warning',
});

/** The note for an old address another post already redirects. */
const aliasTakenProblem = (sourcePath: string, address: string, owner: string): Problem => ({
  file: sourcePath,
  field: 'aliases',
  message: `The old address ${address} already redirects to ${owner}, so it does not redirect to this post.`,
  fix: 'Remove the address from one of the two posts.',
  severity: 'warning',
});

/** A claim retired longer ago than this belongs to a post deleted for good, not to the old name of a renamed one. */
const RENAME_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Takes the post's unique names: its slug, its author-set id if any, and its feed id. A name held by a file that
 * no longer exists is taken over with its post id; that is how a renamed file keeps its feed id whichever of the
 * two events (deletion of the old name, creation of the new) arrives first.
 */
const claimNames = async (
  parsedPost: Post,
  previous: SourceRecord | undefined,
  deps: ReconcileDeps,
  /** The claim on the source's exact text (`content:<hash>`), by which a renamed copy is recognised. */
  contentName: string,
): Promise<ClaimResult> => {
  const me = parsedPost.sourcePath;
  const conflicts: Problem[] = [];
  const notes: Problem[] = [];
  const ids = new Map<string, string | undefined>();
  const held: string[] = [];
  // The posts of vanished files whose names this one takes over: a renamed file's old self, whose address redirects,
  // and the feed ids those names carried.
  const inherited: DepartedPost[] = [];
  const transferred = new Map<string, string | undefined>();
  const take = async (name: string, postId: string): Promise<Claim> => {
    let claim = await deps.claims.claim(name, me, postId);
    if (claim.owner !== me && !(await deps.content.sourceExists(claim.owner))) {
      const formerOwner = claim.owner;
      const stale =
        claim.retiredAt !== undefined && deps.now().getTime() - Date.parse(claim.retiredAt) > RENAME_WINDOW_MS;
      // A slug or author id of a post deleted long ago is free again, with a new feed id; that feed id is not.
      if (stale && name.startsWith('feedid:')) return claim;
      if (await deps.claims.transferClaim(name, formerOwner, me, stale ? postId : undefined)) {
        claim = { ...claim, owner: me, ...(stale ? { postId } : {}) };
        const former = stale ? undefined : await deps.sources.getSource(formerOwner);
        const left = former?.status === 'published' ? former.post : former?.departed;
        if (left) inherited.push(left);
        if (!stale) transferred.set(name, claim.postId);
        // Retire the vanished file now rather than when its late deletion event comes, so the two never both publish.
        await reconcileSource(formerOwner, deps);
      }
    }
    if (claim.owner === me) held.push(name);
    return claim;
  };
  const giveBack = async () => {
    for (const name of held) if (!previous?.claims.includes(name)) await deps.claims.releaseClaim(name, me);
  };

  // The plain slug, or the dated one when another post has it. A post that already has its dated slug keeps it even
  // once the plain one is free again: its address must not move because another post went.
  const alternatives = alternativeSlugsOf(parsedPost, deps.site);
  const kept = alternatives.find((slug) => slug === previous?.post?.slug);
  const slugOrder = kept
    ? [kept, parsedPost.slug, ...alternatives.filter((slug) => slug !== kept)]
    : [parsedPost.slug, ...alternatives];
  let slug: string | undefined;
  let plainOwner: string | undefined;
  for (const candidate of slugOrder) {
    const name = `slug:${candidate}`;
    const claim = await take(name, previous?.post?.id ?? defaultPostId({ ...parsedPost, slug: candidate }, deps.site));
    if (claim.owner === me) {
      ids.set(name, claim.postId);
      slug = candidate;
      break;
    }
    if (candidate === parsedPost.slug) plainOwner = claim.owner;
  }
  let post = slug === undefined || slug === parsedPost.slug ? parsedPost : withSlug(parsedPost, slug, deps.site);
  // The same text as a file deleted (or about to be) within the rename window is that file renamed: it keeps the
  // post's feed id, and its old address redirects here. A copy of a file that still exists takes nothing.
  if (slug !== undefined) {
    const claim = await take(contentName, previous?.post?.id ?? defaultPostId(post, deps.site));
    if (claim.owner === me) ids.set(contentName, claim.postId);
  }
  if (slug === undefined) conflicts.push(nameClashProblem(me, `slug:${parsedPost.slug}`, `posts/${plainOwner ?? ''}`));
  else if (post !== parsedPost && plainOwner !== undefined) {
    notes.push(slugMovedProblem(post, parsedPost.slug, `posts/${plainOwner}`));
  }
  const candidateId = previous?.post?.id ?? defaultPostId(post, deps.site);
  for (const [name] of uniqueNamesOf(post).filter(([, kind]) => kind === 'id')) {
    const claim = await take(name, candidateId);
    if (claim.owner === me) ids.set(name, claim.postId);
    else conflicts.push(nameClashProblem(me, name, `posts/${claim.owner}`));
  }
  // Old addresses answer 301 to the post: those its front matter lists, and those it had here before its slug or
  // address changed. One post per old address; a page at an address wins over any alias of it.
  const movedFrom = [
    ...formerAddressesOf(previous?.post, previous?.status === 'published', post),
    ...inherited.flatMap((former) => formerAddressesOf(former, true, post)),
  ];
  // A kept address is claimed by the file it is written to as well: two spellings of one file (`/a b/`, `/a%20b/`)
  // cannot both be pages, and an alias cannot replace a page spelled otherwise.
  if (slug !== undefined && isAddress(post.slug)) {
    const page = postPagePath(post.slug);
    const claim = await take(`file:${page}`, candidateId);
    if (claim.owner !== me) conflicts.push(nameClashProblem(me, `file:${page}`, `posts/${claim.owner}`));
  }
  const redirected: string[] = [];
  for (const address of new Set([...(post.aliases ?? []), ...movedFrom])) {
    // A page there, however its address is spelled, wins: the alias would never be served.
    const page = await deps.claims.getClaim(`file:${addressFile(address)}`);
    if (page && page.owner !== me && (await deps.content.sourceExists(page.owner))) {
      notes.push(aliasOverPageProblem(me, address, page.owner));
      continue;
    }
    const claim = await take(`alias:${addressFile(address)}`, candidateId);
    if (claim.owner === me) redirected.push(address);
    else notes.push(aliasTakenProblem(me, address, claim.owner));
  }
  const stillRedirected = (list: readonly string[]) => list.filter((address) => redirected.includes(address));
  post = { ...post, ...(post.aliases ? { aliases: stillRedirected(post.aliases) } : {}) };
  if (conflicts.length > 0) {
    await giveBack();
    return { conflicts };
  }

  // The feed id itself is a name no two posts may share, and is never given back while its post exists: a slug
  // or author id given up by one post and taken by another must not hand readers the first post's item id.
  const authorClaimId = post.authorId !== undefined ? ids.get(`id:${post.authorId}`) : undefined;
  const inheritedId = transferred.get(`slug:${post.slug}`) ?? transferred.get(contentName);
  const wantedId = authorClaimId ?? previous?.post?.id ?? inheritedId ?? ids.get(`slug:${post.slug}`) ?? candidateId;
  const authorChosen = post.authorId !== undefined && wantedId === post.authorId;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const postId = attempt === 1 ? wantedId : `${wantedId}-${attempt}`;
    const claim = await take(`feedid:${postId}`, postId);
    if (claim.owner === me) return { names: held, postId, post, notes, movedFrom: stillRedirected(movedFrom) };
    if (authorChosen) {
      conflicts.push({
        file: me,
        field: 'id',
        message: `id "${post.authorId}" was already used by posts/${claim.owner}; feed ids are never reused.`,
        fix: 'Give this post an id of its own.',
        severity: 'error',
      });
      break;
    }
  }
  if (conflicts.length === 0) {
    conflicts.push({
      file: me,
      field: 'id',
      message: `no free feed id near "${wantedId}".`,
      fix: 'Set a unique `id` in the front matter.',
      severity: 'error',
    });
  }
  await giveBack();
  return { conflicts };
};

/** Every output the change touches: feeds and index when a published post comes or goes, its month, its page. */
const dirtyKeys = (previous: SourceRecord | undefined, next: SourceRecord, site: SiteConfig): string[] => {
  const keys = new Set<string>();
  for (const record of [previous, next]) {
    if (!record?.post || record.status !== 'published') continue;
    keys.add(FEEDS_KEY);
    keys.add(monthKey(record.month ?? monthOf(new Date(record.post.date), site.timeZone)));
    keys.add(postKey(record.post.slug));
    for (const address of [...(record.post.aliases ?? []), ...(record.post.movedFrom ?? [])])
      keys.add(postKey(pageNameOfAddress(address)));
  }
  return [...keys];
};
