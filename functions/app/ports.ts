import type { OutgoingMessage } from '../core/mail/outgoing-message.ts';
import type { Subscriber, SubscriberStatus, SubscribeVia } from '../core/subscribers/subscriber.ts';
import type { MonthRef, PostSummary, Problem, PublicFile, PublishedPost } from '../core/types.ts';

/** Re-exported because the Mailer port takes it; the type itself belongs to core/mail, which builds it. */
export type { OutgoingMessage, PublicFile };

/**
 * The narrow I/O the publisher needs. Adapters implement these over S3 and DynamoDB (functions/adapters/) and the
 * CLI implements the content side over a folder; the use cases in functions/app/ see only these shapes.
 */

/** A source file as stored: its bytes and an entity tag that changes whenever the bytes do. */
export interface SourceObject {
  bytes: Uint8Array;
  etag: string;
}

/** The author's uploads (`posts/…`) and the public site (`site/…`). Paths here are relative to those roots. */
export interface ContentStore {
  /** The source as it is now, or undefined when it no longer exists. */
  readSource(sourcePath: string): Promise<SourceObject | undefined>;
  /** Every key under the posts prefix (relative to it), in no particular order. */
  listSources(): Promise<string[]>;
  /** Whether a source exists now (cheaper than reading it). */
  sourceExists(sourcePath: string): Promise<boolean>;
  writePublic(file: PublicFile): Promise<void>;
  deletePublic(path: string): Promise<void>;
  /** Publishes an uploaded asset (an image beside a post) at the same relative path under `posts/`. */
  copySourceToPublic(sourcePath: string, publicPath: string): Promise<boolean>;
  /** Writes (or, with undefined, removes) the author-facing report beside a source. */
  writeReport(sourcePath: string, text: string | undefined): Promise<void>;
}

export type SourceStatus = 'published' | 'scheduled' | 'draft' | 'expired' | 'rejected' | 'deleted';

/** What the index remembers about one source file. */
export interface SourceRecord {
  sourcePath: string;
  /** Optimistic-concurrency counter: every write names the version it replaces. */
  version: number;
  status: SourceStatus;
  /** Entity tag of the bytes this record was computed from. */
  etag?: string;
  /** The published post (also kept while a rejected edit waits to be fixed, so the last good version stays live). */
  post?: PublishedPost;
  /** Archive month of the published post, `YYYY-MM`. */
  month?: string;
  /** Claims (slug, author id, feed id) this source holds, e.g. `slug:hello`, `id:post-42`, `feedid:tag:…`. */
  claims: string[];
  /** Claims this source gave up in its latest change, released again on every reconcile until others hold them. */
  formerClaims?: string[];
  /**
   * On a deleted record: the post it published until then (its feed id, name and former addresses), so a copy of it
   * uploaded under another name within the rename window keeps the id and redirects from the old address.
   */
  departed?: DepartedPost;
  /** When a scheduled or expiring post next changes state (ISO instant). */
  dueAt?: string;
  /** Problems of the latest version, when it was rejected (or published with warnings). */
  problems: Problem[];
}

/** What a deleted source's post leaves for a renamed copy of it. */
export interface DepartedPost {
  id: string;
  slug: string;
  movedFrom?: string[];
}

/** A unique name (slug or author id) held by one source, carrying the feed item id it was first published with. */
export interface Claim {
  name: string;
  owner: string;
  postId?: string;
  /** When the owner was deleted (ISO instant); the claim stays so that a rename can take it over with its id. */
  retiredAt?: string;
}

/** An output that must be re-rendered, with the token of the change that dirtied it. */
export interface DirtyMark {
  key: string;
  token: string;
}

export interface SiteState {
  revision: number;
  renderedRevision: number;
  lockOwner?: string;
  lockUntil?: number;
}

/*
 * The post index: what the publisher remembers between invocations (one DynamoDB table in the stack, shared with the
 * digests and the subscriber list). Each port below is one kind of record in it, with the calls its users make.
 */

/** One record per source file: what it published, what it claims, and why it was rejected. */
export interface SourceIndex {
  getSource(sourcePath: string): Promise<SourceRecord | undefined>;
  /** The records of several sources at once (strongly consistent), in the order asked; missing ones are left out. */
  getSources(sourcePaths: string[]): Promise<SourceRecord[]>;
  /**
   * Writes a record if the stored version is still `record.version - 1` (or absent for version 1); else
   * ConflictError. A record with a `dueAt` also goes on the due list (see DueEntries).
   */
  putSource(record: SourceRecord): Promise<void>;
}

/** Unique names (slugs, author ids, feed ids), each held by one source. */
export interface NameClaims {
  /** Takes `name` for `owner` unless another owner holds it; returns the claim as stored after the attempt. */
  claim(name: string, owner: string, postId: string | undefined): Promise<Claim>;
  /** Moves a claim from `from` to `to`, keeping its post id unless `newPostId` is given; false when `from` no longer holds it. */
  transferClaim(name: string, from: string, to: string, newPostId?: string): Promise<boolean>;
  releaseClaim(name: string, owner: string): Promise<void>;
  /** Marks a deleted owner's claim as retired at `at` (kept, so a rename can still take it over). */
  retireClaim(name: string, owner: string, at: string): Promise<void>;
  getClaim(name: string): Promise<Claim | undefined>;
}

/** The outputs (feeds, pages) a change made stale, until a renderer has written them again. */
export interface DirtyMarks {
  markDirty(keys: string[]): Promise<void>;
  listDirty(): Promise<DirtyMark[]>;
  /** Removes a mark unless it was re-marked since it was listed. */
  clearDirty(mark: DirtyMark): Promise<void>;
}

/** The site revision (changes counted, changes rendered) and the lock one renderer holds at a time. */
export interface RenderLock {
  getSiteState(): Promise<SiteState>;
  /** Increments the site revision and returns the new value. */
  bumpRevision(): Promise<number>;
  /** Takes the render lock if it is free or its lease ran out. */
  tryLock(owner: string, nowMs: number, leaseMs: number): Promise<boolean>;
  /** Extends the lease of the lock's holder; false when `owner` no longer holds it. */
  renewLease(owner: string, nowMs: number, leaseMs: number): Promise<boolean>;
  /** Records that everything up to `revision` is rendered; false when `owner` lost the lock. */
  markRendered(owner: string, revision: number, nowMs: number, leaseMs: number): Promise<boolean>;
  /** Releases the lock if `owner` still holds it. */
  unlock(owner: string): Promise<void>;
}

/** The published posts as lists show them: the newest, and the archive's months. */
export interface PostArchive {
  /** Newest published posts, newest first. */
  newestPosts(limit: number): Promise<PublishedPost[]>;
  /** Published posts of one month, newest first, without bodies. */
  postsInMonth(month: string): Promise<PostSummary[]>;
  listMonths(): Promise<MonthRef[]>;
  /** Stores a month's post count and archive entries; a count of 0 removes the month. */
  putMonth(month: MonthRef): Promise<void>;
}

/** Sources whose state changes at a known time (scheduled posts coming due, posts expiring), for the timer. */
export interface DueEntries {
  /** Sources whose state changes at or before `at`. */
  listDue(at: string): Promise<{ sourcePath: string; dueAt: string }[]>;
  /** Forgets a due entry once it has been acted on. */
  clearDue(sourcePath: string, dueAt: string): Promise<void>;
}

/**
 * Hands messages to SES, or locally to the outbox. Throws MailRejectedError for a permanent refusal and
 * MailThrottledError when the caller should back off and retry.
 */
export interface Mailer {
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
}

/**
 * The subscriber list. Every write is conditional on the version it replaces (a record new to the list has version
 * 1 and needs its key to be free); a lost race throws ConflictError and the caller decides again from a fresh read.
 */
export interface SubscriberStore {
  /** The record as it is now (strongly consistent), or undefined. */
  get(key: string): Promise<Subscriber | undefined>;
  save(next: Subscriber): Promise<void>;
  /** Deletes the record if it is still at `current.version`. */
  erase(current: Subscriber): Promise<void>;
  /** Every record, or those with one status (in one shard), a page at a time (in no particular order). */
  list(filter?: { status?: SubscriberStatus; shard?: string }): AsyncIterable<Subscriber[]>;
  /** The shards the list is spread over: units of fan-out for a digest. */
  readonly shards: readonly string[];
}

/** A post waiting for (or assigned to) a digest: one entry per feed id, written when the post is first published. */
export interface QueuedPost {
  feedId: string;
  sourcePath: string;
  /** When the post was first published (ISO instant): digests take posts in this order, not by their date. */
  queuedAt: string;
  /** The digest that carries (or carried) it; absent while it waits. */
  digestId?: string;
}

/**
 * Published posts on their way into a digest: "this post is out; mail it once". The publisher queues them, the
 * planner takes them; one entry per feed id, kept for good as the marker that the post was mailed.
 */
export interface MailQueue {
  /**
   * Idempotent per feed id: a post already queued keeps its place (a rename updates the file it is read from), and
   * one already in a digest is left alone, so edits and renames never mail it again.
   */
  queuePost(entry: { feedId: string; sourcePath: string; queuedAt: string }): Promise<void>;
  /** Posts not yet in a digest, and those already assigned to `digestId` (so a retried plan sees its own). */
  listQueued(digestId: string): Promise<QueuedPost[]>;
  /** Assigns a queued post to a digest unless another digest has it; true when it is (now) this digest's. */
  assignPost(feedId: string, digestId: string): Promise<boolean>;
}

/**
 * planning (choosing posts, compiling) -> queueing (putting recipient batches on the queue) -> sending -> sent;
 * or `empty` (nothing new) or `waiting` (fewer new posts than `minPosts`: they wait for the next digest).
 */
export type DigestStatus = 'planning' | 'queueing' | 'sending' | 'sent' | 'empty' | 'waiting';

/** One digest: what it carries, where its fan-out got to, and how its sending went. */
export interface DigestRecord {
  /** `<scheduled instant>` for a scheduled digest, `post:<feed id>` for an immediate one. */
  id: string;
  status: DigestStatus;
  createdAt: string;
  /** Feed ids of the posts it carries (shown or counted). */
  feedIds: string[];
  subject?: string;
  /** The compiled mail, personalised per recipient by substitution: never compiled again. */
  compiled?: CompiledForSending;
  /** Shards whose confirmed subscribers have been put on the queue. */
  shardsQueued: string[];
  /** Recipients put on the queue (each counted once, when its shard was done). */
  recipients: number;
  /** Batches put on the queue: the digest is finished when this many have a complete tally. */
  batches: number;
  /** The counts below are summed from the batches' tallies when the last batch completes. */
  sent: number;
  failed: number;
  /** Recipients that had unsubscribed or been suppressed by the time their turn came. */
  skipped: number;
  /** Deliveries whose outcome cannot be known (a crash while SES was being called): never retried. */
  uncertain: number;
  startedAt?: string;
  finishedAt?: string;
}

/** What a sender needs of a compiled digest: the parts with their per-recipient placeholders, and the subject. */
export interface CompiledForSending {
  /** The template it was compiled from, for error messages. */
  entry: string;
  subject: string;
  html: string;
  text: string;
  placeholders: readonly string[];
}

/**
 * claimed -> sending -> sent | failed; claimed -> skipped (no longer confirmed); sending -> uncertain (no answer
 * from SES, or its sender died during the call: never retried).
 */
export type DeliveryState = 'claimed' | 'sending' | 'sent' | 'failed' | 'skipped' | 'uncertain';

/** One recipient of one digest: the claim that makes the send happen exactly once. */
export interface Delivery {
  digestId: string;
  key: string;
  state: DeliveryState;
  owner: string;
  /** While `claimed`: when another sender may take the claim over (its owner presumed dead). */
  leaseUntil?: string;
  at: string;
  messageId?: string;
  reason?: string;
}

/** A message on the recipient queue: one digest, up to 100 subscriber keys. */
export interface RecipientBatch {
  digestId: string;
  /** Stable within the digest (`<shard>-<n>`): a redelivered or re-queued batch has the same id. */
  batchId: string;
  keys: string[];
}

/** How every recipient of one batch ended. */
export interface BatchTally {
  sent: number;
  failed: number;
  skipped: number;
  uncertain: number;
}

/** A visitor's subscribe request, as the API queues it for the confirmation sender. */
export interface SubscribeRequest {
  /** The normalised address, as the visitor typed its local part. */
  address: string;
  /** The subscriber's key (the lower-cased address). */
  key: string;
  name?: string;
  via: SubscribeVia;
  /** When the API took the request (ISO 8601). */
  requestedAt: string;
}

/** The API's word that an address has just confirmed, queued for the confirmation sender to welcome it. */
export interface WelcomeRequest {
  kind: 'welcome';
  key: string;
  /** The confirmation to welcome (the subscriber's `confirmedAt`): a later one is welcomed by its own request. */
  confirmedAt: string;
}

/**
 * Where the API leaves subscribe requests and welcome requests: deciding them and sending the mail happen off the
 * request path, so the answer takes the same time whatever the address's state and the API sends no mail (SQS
 * when deployed; at once in the local run).
 */
export interface SubscribeRequests {
  submit(request: SubscribeRequest | WelcomeRequest): Promise<void>;
}

export interface RecipientQueue {
  send(batches: readonly RecipientBatch[]): Promise<void>;
}

/** The digests: one record each (what it carries, where its fan-out got to), and the tallies of its batches. */
export interface DigestLedger {
  /** Creates the record unless it exists; returns the stored record either way. */
  openDigest(record: DigestRecord): Promise<DigestRecord>;
  getDigest(id: string): Promise<DigestRecord | undefined>;
  /** Applies `fields` if the record is still in `expected` status; false otherwise. */
  updateDigest(id: string, expected: DigestStatus, fields: Partial<DigestRecord>): Promise<boolean>;
  /** Marks a shard's fan-out done and adds its recipients and batches, once per shard. */
  recordShardQueued(id: string, shard: string, recipients: number, batches: number): Promise<void>;
  /**
   * Stores the tally of a batch whose every recipient is settled. Idempotent: a redelivered batch writes the same
   * tally again, so counts never double (unlike incrementing a counter per run, which a crash would skew).
   */
  recordBatch(id: string, batchId: string, tally: BatchTally): Promise<void>;
  /**
   * Counts one more completed batch run (a redelivered batch counts again) and returns the count: a hint of when the
   * tallies are worth summing. Counted after the batch's tally is stored, so the run whose count reaches the number
   * of batches last finds every tally stored (a run that died between the two leaves its batch to be redelivered,
   * which counts it then).
   */
  countBatchRun(id: string): Promise<number>;
  /** The batches with a complete tally so far, and their sums. */
  batchTallies(id: string): Promise<{ batches: number; totals: BatchTally }>;
  /** Sets the final counts and finishedAt, once (status `sending` -> `sent`). */
  finishDigest(id: string, totals: BatchTally, at: string): Promise<void>;
  /** The most recently created digests, newest first (without their compiled mail). */
  listDigests(limit: number): Promise<DigestRecord[]>;
  /** Digests still `planning` or `queueing`: left so by a run that stopped (without their compiled mail). */
  listUnfinished(): Promise<DigestRecord[]>;
}

/** The delivery claims: one per recipient of a digest, what makes each send happen exactly once. */
export interface Deliveries {
  /**
   * Takes the delivery for `owner`: when none exists, or it is `claimed` with an expired lease. Otherwise returns
   * the delivery as it stands (someone else's, or already settled).
   */
  claimDelivery(claim: { digestId: string; key: string; owner: string; leaseUntil: string; now: string }): Promise<{
    taken: boolean;
    delivery: Delivery;
  }>;
  /** `claimed` -> `sending`, only for the owner; false when the claim was lost. */
  markSending(digestId: string, key: string, owner: string, at: string): Promise<boolean>;
  /** `sending` -> `claimed` again, for a send SES definitely refused for now (throttling): safe to retry. */
  releaseDelivery(digestId: string, key: string, owner: string, leaseUntil: string): Promise<void>;
  /** Settles the owner's delivery: `sent` (with the SES message id), or `failed`/`skipped`/`uncertain` (a reason). */
  settleDelivery(
    digestId: string,
    key: string,
    owner: string,
    outcome: { state: 'sent'; messageId: string } | { state: 'failed' | 'skipped' | 'uncertain'; reason: string },
    at: string,
  ): Promise<boolean>;
  /**
   * A delivery left `sending` since before `olderThan` belongs to a sender that died during the SES call: it
   * becomes `uncertain` (true once, for whoever changes it).
   */
  settleAbandoned(digestId: string, key: string, olderThan: string, at: string): Promise<boolean>;
  listDeliveries(digestId: string): AsyncIterable<Delivery[]>;
}

/**
 * The switch that holds digest sending back (set when SES reputation alarms fire, cleared by a person with
 * `npm run cli -- digest resume`). Confirmation mail does not look at it.
 */
export interface SendingPause {
  /** `since`: when the pause began (the alarm's state change time, ISO 8601). */
  get(): Promise<{ paused: boolean; reason?: string; since?: string }>;
  pause(reason: string, since: string): Promise<void>;
  resume(): Promise<void>;
}
