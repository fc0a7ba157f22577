import { sourceKindOf } from '../core/posts/source-kind.ts';
import type { Problem } from '../core/types.ts';
import type { DueEntries, MailQueue, SourceStatus } from './ports.ts';
import { type ReconcileDeps, type ReconcileOutcome, reconcileSource } from './reconcile-source.ts';
import { type RenderDeps, renderUntil } from './render-site.ts';

export type PublishDeps = RenderDeps &
  ReconcileDeps & {
    /** Where published posts wait for the next digest; absent where no mail is sent (the CLI build, some tests). */
    mailQueue?: Pick<MailQueue, 'queuePost'>;
  };

/** What the timer's run needs: the publisher's ports, and the list of sources that come due. */
export type PublishDueDeps = PublishDeps & { dueEntries: DueEntries };

export type PublishResult =
  | { kind: 'post'; sourcePath: string; status: SourceStatus; problems: Problem[]; changed: boolean }
  | { kind: 'asset'; sourcePath: string; published: boolean }
  | { kind: 'site-file'; sourcePath: string; reparsed: number; problems: Problem[] }
  | { kind: 'skipped'; sourcePath: string; reason: string };

/**
 * Handles "something happened to this key under posts/": whatever the event said, the key is reconciled with the
 * bucket as it is now, and the call returns once the result is public.
 */
export const publishSource = async (sourcePath: string, deps: PublishDeps): Promise<PublishResult> => {
  const kind = sourceKindOf(sourcePath);
  if (kind === 'report') return { kind: 'skipped', sourcePath, reason: 'a publish report written by this function' };
  if (kind === 'ignored') return { kind: 'skipped', sourcePath, reason: 'an editor or system file' };
  if (kind === 'asset') {
    const publicPath = `posts/${sourcePath}`;
    const published = await deps.content.copySourceToPublic(sourcePath, publicPath);
    if (published) return { kind: 'asset', sourcePath, published };
    await deps.content.deletePublic(publicPath);
    // A re-upload may have been copied between our failed copy and our delete: put it back.
    const republished = await deps.content.copySourceToPublic(sourcePath, publicPath);
    return { kind: 'asset', sourcePath, published: republished };
  }
  if (kind === 'site-file') return reparseAll(sourcePath, deps);
  const outcome = await reconcileSource(sourcePath, deps);
  await makePublic(outcome.changed, deps);
  await queueForDigest(outcome, deps);
  return { kind: 'post', ...outcome };
};

/**
 * A site file (a `_config.yml`, a Hugo config, a shortcode template, an include) changed: every post may render
 * differently now, so each is reconciled again. Each post's recorded version includes the site files'
 * fingerprint, so a retry after a crash skips the posts already done, and a duplicate event does nothing.
 */
const reparseAll = async (sourcePath: string, deps: PublishDeps): Promise<PublishResult> => {
  const site = await deps.siteContent?.();
  // The site files were read from one listing of the posts prefix; its post paths are the posts to reconcile.
  const listed = site?.content.sources ?? (await deps.content.listSources());
  const posts = listed.filter((path) => sourceKindOf(path) === 'post').sort();
  const outcomes: ReconcileOutcome[] = [];
  for (const post of posts) outcomes.push(await reconcileSource(post, deps));
  await makePublic(
    outcomes.some((outcome) => outcome.changed),
    deps,
  );
  for (const outcome of outcomes) await queueForDigest(outcome, deps);
  return {
    kind: 'site-file',
    sourcePath,
    reparsed: outcomes.filter((outcome) => outcome.changed).length,
    problems: site?.problems.filter((problem) => problem.file === sourcePath) ?? [],
  };
};

/**
 * Publishes scheduled posts that came due and withdraws expired ones; run on a timer (every few minutes).
 */
export const publishDue = async (deps: PublishDueDeps): Promise<{ sourcePath: string; status: SourceStatus }[]> => {
  const due = await deps.dueEntries.listDue(deps.now().toISOString());
  const results: { sourcePath: string; status: SourceStatus }[] = [];
  const outcomes: ReconcileOutcome[] = [];
  for (const entry of due) {
    const outcome = await reconcileSource(entry.sourcePath, deps);
    results.push({ sourcePath: entry.sourcePath, status: outcome.status });
    outcomes.push(outcome);
  }
  await makePublic(due.length > 0, deps);
  for (const outcome of outcomes) await queueForDigest(outcome, deps);
  // Last: until its due entry is gone, a crashed run leaves the post for the next run to publish and queue.
  for (const entry of due) await deps.dueEntries.clearDue(entry.sourcePath, entry.dueAt);
  return results;
};

/**
 * Once a post is public, it waits for the next digest. Queueing is idempotent per feed id, so it runs on every
 * event that finds the post published: a retry after a crash between publishing and queueing still queues it, and
 * edits, renames and duplicate events never queue it twice.
 */
const queueForDigest = async (outcome: ReconcileOutcome, deps: PublishDeps): Promise<void> => {
  if (!deps.mailQueue || outcome.status !== 'published' || outcome.postId === undefined) return;
  await deps.mailQueue.queuePost({
    feedId: outcome.postId,
    sourcePath: outcome.sourcePath,
    queuedAt: deps.now().toISOString(),
  });
};

/**
 * Counts a change and waits until it is public. Without a change of its own, an invocation still does so when
 * work is pending: it may be the retry of one that crashed before its change went public.
 */
const makePublic = async (changed: boolean, deps: PublishDeps): Promise<void> => {
  if (!changed && !(await hasPendingWork(deps))) return;
  await renderUntil(await deps.renderLock.bumpRevision(), deps);
};

const hasPendingWork = async (deps: Pick<PublishDeps, 'renderLock' | 'dirtyMarks'>): Promise<boolean> => {
  const state = await deps.renderLock.getSiteState();
  if (state.renderedRevision < state.revision) return true;
  return (await deps.dirtyMarks.listDirty()).length > 0;
};
