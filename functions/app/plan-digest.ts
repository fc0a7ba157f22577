/**
 * Plans digests: which posts a digest carries, its compiled mail, and its recipients put on the queue in batches.
 * Every step is idempotent and resumable, so a duplicate trigger of the same slot, or a retry after a crash at any
 * point, ends with the same digest and never queues a post into two digests:
 *
 * 1. The digest record is created once per id (the scheduled instant, or `post:<feed id>` when immediate).
 * 2. `planning`: the queued posts that are still published are assigned to it (a conditional write per post: a
 *    post belongs to one digest only), then the mail is compiled once and stored with the record -> `queueing`.
 * 3. `queueing`: the confirmed subscribers of each shard go on the queue, 100 per message, each batch with a
 *    stable id; a shard is recorded as done with its counts in one write, so recipients are counted once even if
 *    a shard is queued twice (its duplicate batches stop at the delivery claims) -> `sending`.
 * 4. Senders store each completed batch's tally; whoever completes the last batch sums them and marks it `sent`.
 *    Batches that failed too often wait in the dead-letter queue; redriving them finishes the digest.
 */
import { type DigestContent, type DigestPost, toDigestPost } from '../core/digest/digest-content.ts';
import type { SiteConfig } from '../core/types.ts';
import { finishIfDone } from './digest-ledger.ts';
import type { Logger } from './logger.ts';
import type {
  CompiledForSending,
  DigestLedger,
  DigestRecord,
  MailQueue,
  QueuedPost,
  RecipientBatch,
  RecipientQueue,
  SendingPause,
  SourceIndex,
  SubscriberStore,
} from './ports.ts';

export interface PlannerDeps {
  /** The posts waiting for a digest. */
  mailQueue: Pick<MailQueue, 'listQueued' | 'assignPost'>;
  ledger: DigestLedger;
  /** Whether a queued post is still published, and what it says now. */
  sources: Pick<SourceIndex, 'getSource'>;
  subscribers: Pick<SubscriberStore, 'list' | 'shards'>;
  queue: RecipientQueue;
  site: SiteConfig;
  /** The reputation switch: while it is on, no digest is planned (the posts wait in the mail queue). */
  pause: Pick<SendingPause, 'get'>;
  /** Compiles the digest's mail once (MJML); senders only substitute per recipient. */
  compile(content: DigestContent): Promise<CompiledForSending>;
  now: () => Date;
  log: Logger;
}

/** Recipients per queue message: one message stays far below SQS's 256 KB and one sender's batch time. */
export const BATCH_SIZE = 100;

export interface PlanResult {
  id: string;
  status: DigestRecord['status'];
  posts: number;
  recipients: number;
}

/**
 * Runs what a schedule trigger asks for. `scheduledTime` (the slot EventBridge Scheduler fired for) names the
 * digest, so a duplicate trigger of one slot plans the same one, and bounds its posts to those queued by then, so
 * two planners of one slot racing each other choose the same posts. `immediate` cadence makes a digest per new
 * post. Every run also resumes digests an earlier run left unfinished (a crash, a timeout, a failed compile).
 */
export const planDigests = async (
  deps: PlannerDeps,
  trigger: { scheduledTime?: string } = {},
): Promise<PlanResult[]> => {
  const pause = await deps.pause.get();
  if (pause.paused) {
    // Planning now would only fill the queue with batches that wait, and after a day land in the dead-letter queue.
    deps.log.warn('digest sending is paused; nothing planned', { reason: pause.reason, since: pause.since });
    return [];
  }
  const results: PlanResult[] = [];
  for (const record of await deps.ledger.listUnfinished()) {
    results.push(await resume(deps, record));
  }
  if (deps.site.digest.cadence !== 'immediate') {
    const id = digestIdFor(trigger.scheduledTime, deps.now());
    if (!results.some((result) => result.id === id)) {
      const slot = slotOf(trigger.scheduledTime, deps.now()).toISOString();
      results.push(await planDigest(deps, id, (post) => post.queuedAt <= slot));
    }
    return results;
  }
  for (const post of await deps.mailQueue.listQueued('')) {
    // Only a post that is out gets a digest of its own: one deleted or withdrawn meanwhile waits in the mail queue.
    if (!(await publishedPost(deps, post))) continue;
    results.push(await planDigest(deps, `post:${post.feedId}`, (candidate) => candidate.feedId === post.feedId));
  }
  return results;
};

/** What the next run would send, as `previewNextDigest` tells it. */
export type NextDigest =
  | { status: 'paused'; reason?: string; since?: string }
  | { status: 'empty' }
  | { status: 'waiting'; posts: number; minPosts: number }
  | { status: 'ready'; id: string; posts: number; compiled: CompiledForSending };

/**
 * The digest the next run would plan, chosen and compiled as `planDigests` does it, but read-only: no record is
 * opened and no post assigned, so it can be shown as often as asked (the local run's `/_outbox/next`). Digests an
 * earlier run left unfinished are not in it: they carry on with the posts they already hold.
 */
export const previewNextDigest = async (
  deps: Pick<PlannerDeps, 'mailQueue' | 'sources' | 'site' | 'pause' | 'compile' | 'now'>,
): Promise<NextDigest> => {
  const pause = await deps.pause.get();
  if (pause.paused) {
    return {
      status: 'paused',
      ...(pause.reason === undefined ? {} : { reason: pause.reason }),
      ...(pause.since === undefined ? {} : { since: pause.since }),
    };
  }
  const published = await stillPublished(deps, await deps.mailQueue.listQueued(''));
  const first = published[0];
  if (first === undefined) return { status: 'empty' };
  const { cadence, minPosts } = deps.site.digest;
  // Immediate cadence mails each post on its own, in the mail queue's order.
  const chosen = cadence === 'immediate' ? [first] : published;
  if (cadence !== 'immediate' && chosen.length < minPosts) return { status: 'waiting', posts: chosen.length, minPosts };
  const id = cadence === 'immediate' ? `post:${first.entry.feedId}` : digestIdFor(undefined, deps.now());
  const posts = chosen.map(({ post }) => post);
  return { status: 'ready', id, posts: posts.length, compiled: await compile(deps, id, posts) };
};

const slotOf = (scheduledTime: string | undefined, now: Date): Date => {
  const at = scheduledTime ? new Date(scheduledTime) : now;
  return Number.isNaN(at.getTime()) ? now : at;
};

/**
 * The id of a scheduled digest: the slot's instant to the minute, so retries of one slot agree.
 * @example digestIdFor('2026-11-23T07:00:00Z', now) // '2026-11-23T07:00Z'
 */
export const digestIdFor = (scheduledTime: string | undefined, now: Date): string =>
  `${slotOf(scheduledTime, now).toISOString().slice(0, 16)}Z`;

/** Carries on with a digest where an earlier run stopped, with the posts that run chose (its own, or its slot's). */
const resume = async (deps: PlannerDeps, record: DigestRecord): Promise<PlanResult> => {
  if (record.id.startsWith('post:')) {
    const feedId = record.id.slice('post:'.length);
    return planDigest(deps, record.id, (post) => post.feedId === feedId);
  }
  const slot = Number.isNaN(Date.parse(record.id)) ? record.createdAt : new Date(record.id).toISOString();
  return planDigest(deps, record.id, (post) => post.digestId === record.id || post.queuedAt <= slot);
};

const planDigest = async (
  deps: PlannerDeps,
  id: string,
  selects: (post: QueuedPost) => boolean,
): Promise<PlanResult> => {
  let record = await deps.ledger.openDigest({
    id,
    status: 'planning',
    createdAt: deps.now().toISOString(),
    feedIds: [],
    shardsQueued: [],
    recipients: 0,
    batches: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    uncertain: 0,
  });
  if (record.status === 'planning') record = await choosePosts(deps, record, selects);
  if (record.status === 'queueing') record = await queueRecipients(deps, record);
  else if (record.status === 'sending') {
    // Its batches may all have completed while a crashed run still held it in `queueing`.
    await finishIfDone(deps.ledger, record.id, deps.now());
    record = (await deps.ledger.getDigest(record.id)) as DigestRecord;
  }
  deps.log.info('digest planned', {
    digestId: id,
    status: record.status,
    posts: record.feedIds.length,
    recipients: record.recipients,
  });
  return { id, status: record.status, posts: record.feedIds.length, recipients: record.recipients };
};

const choosePosts = async (
  deps: PlannerDeps,
  record: DigestRecord,
  selects: (post: QueuedPost) => boolean,
): Promise<DigestRecord> => {
  const published = await stillPublished(deps, (await deps.mailQueue.listQueued(record.id)).filter(selects));
  const resumed = published.some(({ entry }) => entry.digestId === record.id);
  const immediate = record.id.startsWith('post:');
  const status =
    published.length === 0
      ? 'empty'
      : !resumed && !immediate && published.length < deps.site.digest.minPosts
        ? 'waiting'
        : undefined;
  if (status) {
    await deps.ledger.updateDigest(record.id, 'planning', { status });
    return { ...record, status };
  }
  // Compiled before any post is taken: a mail that cannot be compiled leaves its posts free for the next digest.
  let posts = published.map(({ post }) => post);
  let compiled = await compile(deps, record.id, posts);
  const mine: DigestPost[] = [];
  for (const { entry, post } of published) {
    if (await deps.mailQueue.assignPost(entry.feedId, record.id)) mine.push(post);
  }
  if (mine.length === 0) {
    await deps.ledger.updateDigest(record.id, 'planning', { status: 'empty' });
    return { ...record, status: 'empty' };
  }
  if (mine.length !== posts.length) {
    // Another digest took some of them (an immediate one, or a manual run): compile what is really ours.
    posts = mine;
    compiled = await compile(deps, record.id, posts);
  }
  const fields = {
    status: 'queueing' as const,
    feedIds: posts.map((post) => post.feedId),
    subject: compiled.subject,
    compiled,
    startedAt: deps.now().toISOString(),
  };
  if (!(await deps.ledger.updateDigest(record.id, 'planning', fields))) {
    // A concurrent planner of the same slot got there first (with the same posts): carry on from what it stored.
    return (await deps.ledger.getDigest(record.id)) as DigestRecord;
  }
  return { ...record, ...fields };
};

/** The mail of these posts: newest first, as in the feeds; beyond maxPosts the oldest are counted, not shown. */
const compile = (
  deps: Pick<PlannerDeps, 'site' | 'compile'>,
  id: string,
  posts: DigestPost[],
): Promise<CompiledForSending> => {
  const sorted = [...posts].sort((a, b) => b.date.localeCompare(a.date) || a.feedId.localeCompare(b.feedId));
  const shown = sorted.slice(0, deps.site.digest.maxPosts);
  return deps.compile({ id, posts: shown, more: sorted.length - shown.length });
};

/** The queued posts that are still published, each as the digest shows it, in the mail queue's order. */
const stillPublished = async (
  deps: Pick<PlannerDeps, 'sources'>,
  queued: readonly QueuedPost[],
): Promise<{ entry: QueuedPost; post: DigestPost }[]> =>
  (await Promise.all(queued.map((entry) => publishedPost(deps, entry)))).filter(
    (post): post is { entry: QueuedPost; post: DigestPost } => post !== undefined,
  );

/** The post as the digest shows it, or undefined when it is no longer published (deleted or withdrawn). */
const publishedPost = async (
  deps: Pick<PlannerDeps, 'sources'>,
  entry: QueuedPost,
): Promise<{ entry: QueuedPost; post: DigestPost } | undefined> => {
  const source = await deps.sources.getSource(entry.sourcePath);
  const post = source?.post;
  if (source?.status !== 'published' || !post || post.id !== entry.feedId) return undefined;
  return { entry, post: toDigestPost(post) };
};

const queueRecipients = async (deps: PlannerDeps, record: DigestRecord): Promise<DigestRecord> => {
  for (const shard of deps.subscribers.shards) {
    if (record.shardsQueued.includes(shard)) continue;
    const batches: RecipientBatch[] = [];
    let keys: string[] = [];
    let count = 0;
    let sentUpTo = 0;
    const close = () => {
      batches.push({ digestId: record.id, batchId: `${shard}-${batches.length}`, keys });
      keys = [];
    };
    for await (const page of deps.subscribers.list({ status: 'confirmed', shard })) {
      for (const subscriber of page) {
        keys.push(subscriber.key);
        count++;
        if (keys.length === BATCH_SIZE) close();
      }
      // Ten at a time, as SQS SendMessageBatch takes them.
      if (batches.length - sentUpTo >= 10) {
        await deps.queue.send(batches.slice(sentUpTo));
        sentUpTo = batches.length;
      }
    }
    if (keys.length > 0) close();
    if (batches.length > sentUpTo) await deps.queue.send(batches.slice(sentUpTo));
    await deps.ledger.recordShardQueued(record.id, shard, count, batches.length);
  }
  await deps.ledger.updateDigest(record.id, 'queueing', { status: 'sending' });
  // Every batch may already be done (or there were none): then nobody else would finish the digest.
  await finishIfDone(deps.ledger, record.id, deps.now());
  return (await deps.ledger.getDigest(record.id)) as DigestRecord;
};
