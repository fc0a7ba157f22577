import type { Subscriber, SubscriberStatus } from '../core/subscribers/subscriber.ts';
import type { MonthRef, PostSummary, Problem, PublicFile, PublishedPost } from '../core/types.ts';

export type { PublicFile };

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
  /** When a scheduled or expiring post next changes state (ISO instant). */
  dueAt?: string;
  /** Problems of the latest version, when it was rejected (or published with warnings). */
  problems: Problem[];
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

/** The post index and coordination state (one DynamoDB table in the stack). */
export interface PostIndex {
  getSource(sourcePath: string): Promise<SourceRecord | undefined>;
  /** Writes a record if the stored version is still `record.version - 1` (or absent for version 1); else ConflictError. */
  putSource(record: SourceRecord): Promise<void>;

  /** Takes `name` for `owner` unless another owner holds it; returns the claim as stored after the attempt. */
  claim(name: string, owner: string, postId: string | undefined): Promise<Claim>;
  /** Moves a claim from `from` to `to`, keeping its post id unless `newPostId` is given; false when `from` no longer holds it. */
  transferClaim(name: string, from: string, to: string, newPostId?: string): Promise<boolean>;
  releaseClaim(name: string, owner: string): Promise<void>;
  /** Marks a deleted owner's claim as retired at `at` (kept, so a rename can still take it over). */
  retireClaim(name: string, owner: string, at: string): Promise<void>;
  getClaim(name: string): Promise<Claim | undefined>;

  markDirty(keys: string[]): Promise<void>;
  listDirty(): Promise<DirtyMark[]>;
  /** Removes a mark unless it was re-marked since it was listed. */
  clearDirty(mark: DirtyMark): Promise<void>;

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

  /** Newest published posts, newest first. */
  newestPosts(limit: number): Promise<PublishedPost[]>;
  /** Published posts of one month, newest first, without bodies. */
  postsInMonth(month: string): Promise<PostSummary[]>;
  listMonths(): Promise<MonthRef[]>;
  /** Stores a month's post count; 0 removes the month. */
  putMonth(month: MonthRef): Promise<void>;

  /** Sources whose state changes at or before `at` (scheduled posts coming due, posts expiring). */
  listDue(at: string): Promise<{ sourcePath: string; dueAt: string }[]>;
  /** Forgets a due entry once it has been acted on. */
  clearDue(sourcePath: string, dueAt: string): Promise<void>;
}

/** A message as SES receives it: the raw RFC 5322 bytes and the one envelope recipient. */
export interface OutgoingMessage {
  /** Envelope sender (the address alone). */
  from: string;
  /** Envelope recipient (the address alone): one recipient per message, always. */
  to: string;
  raw: Uint8Array;
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
  /** Every record, or those with one status, a page at a time (in no particular order across pages). */
  list(filter?: { status?: SubscriberStatus }): AsyncIterable<Subscriber[]>;
}
