import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** The local secondary index (and its sort key attribute) that orders a partition's items by date. */
export const BY_DATE_INDEX = 'byDate';

/** Leading key of every subscriber record (`SUB#00`..`SUB#15`): see functions/adapters/dynamo-subscriber-store.ts. */
export const SUBSCRIBER_PARTITIONS = 'SUB#*';

/**
 * What the deployed functions do with subscriber records: read one, write one (with a version condition). Listing
 * (Query) and erasing (DeleteItem) are the operator's, through the CLI, so a bug in the public API cannot read out
 * or delete the list.
 */
const SUBSCRIBER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'];

/** Leading keys of the items the digest functions use (what each may do with them: DIGEST_PLANNING, DIGEST_SENDING). */
export const DIGEST_PARTITIONS = {
  /** The ledger of published posts waiting for (or assigned to) a digest; the publish functions write it. */
  mailQueue: 'MAILQ',
  /** One record per digest, keyed by its scheduled time or post. */
  digests: 'DIGEST',
  /** Delivery claims, `DELIV#<digestId>#<shard>`: one recipient is mailed once per digest. */
  deliveries: 'DELIV#*',
  /** Tallies of completed recipient batches, `BATCH#<digestId>`: summed when the last one completes. */
  batches: 'BATCH#*',
  /** The publisher's record of each source file, with the published post. */
  posts: 'SRC',
  subscribers: SUBSCRIBER_PARTITIONS,
} as const;

/** Leading key of the digest sending pause flag (`SENDING`/`PAUSE`): see functions/adapters/dynamo-sending-pause.ts. */
export const SENDING_PAUSE_PARTITION = 'SENDING';

/**
 * Leading keys of the items the publish functions use (see functions/adapters/dynamo-table.ts for who owns which):
 * what they may do with them is PUBLISHING.
 */
export const PUBLISH_PARTITIONS = {
  /** One record per source file, with the published post; also what the `byDate` index lists. */
  posts: DIGEST_PARTITIONS.posts,
  /** Unique names: slugs, ids, feed ids, page files, old addresses. */
  claims: 'CLAIM',
  /** Outputs to re-render. */
  dirtyMarks: 'DIRTY',
  /** The site revision counters and the render lease. */
  site: 'SITE',
  /** Archive months. */
  months: 'MONTH',
  /** Scheduled posts and expiries, for the timer. */
  due: 'DUE',
  /** Published posts waiting for a digest: the publisher adds to it, the digest planner takes from it. */
  mailQueue: DIGEST_PARTITIONS.mailQueue,
} as const;

interface PartitionGrant {
  sid: string;
  actions: string[];
  leadingKeys: string[];
  /** On the `byDate` index instead of the base table (a Query there names the same partition key, `pk`). */
  byDateIndex?: true;
}

/**
 * What publishing does (functions/app/publish.ts, reconcile-source.ts and render-site.ts over the dynamo-* adapters
 * of the post index): read and write source records with a version condition (GetItem, BatchGetItem, PutItem) and
 * list published ones by date through `byDate` (Query on the index only); claim, move, retire and release names
 * (conditional UpdateItem and DeleteItem); mark, list and clear dirty outputs; count revisions and hold the render
 * lease (UpdateItem on one item); rewrite archive months; write due entries beside scheduled records; queue published
 * posts for the digest (UpdateItem that leaves an entry already assigned to a digest alone). Subscriber records,
 * digests and deliveries are out of reach, and nothing is ever scanned.
 */
const PUBLISHING: readonly PartitionGrant[] = [
  {
    sid: 'SourceRecords',
    actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem'],
    leadingKeys: [PUBLISH_PARTITIONS.posts],
  },
  {
    sid: 'PublishedPostsByDate',
    actions: ['dynamodb:Query'],
    leadingKeys: [PUBLISH_PARTITIONS.posts],
    byDateIndex: true,
  },
  {
    sid: 'NameClaims',
    actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    leadingKeys: [PUBLISH_PARTITIONS.claims],
  },
  {
    sid: 'DirtyMarks',
    actions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
    leadingKeys: [PUBLISH_PARTITIONS.dirtyMarks],
  },
  {
    sid: 'SiteRevisionAndRenderLease',
    actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    leadingKeys: [PUBLISH_PARTITIONS.site],
  },
  {
    sid: 'ArchiveMonths',
    actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    leadingKeys: [PUBLISH_PARTITIONS.months],
  },
  { sid: 'QueueForDigest', actions: ['dynamodb:UpdateItem'], leadingKeys: [PUBLISH_PARTITIONS.mailQueue] },
];

/**
 * Due entries: every publish writes one beside a record that changes state later (a scheduled post, an expiry); only
 * the timer lists the entries that came due and deletes them once handled.
 */
const WRITE_DUE_ENTRIES: PartitionGrant = {
  sid: 'DueEntries',
  actions: ['dynamodb:PutItem'],
  leadingKeys: [PUBLISH_PARTITIONS.due],
};
const HANDLE_DUE_ENTRIES: PartitionGrant = {
  ...WRITE_DUE_ENTRIES,
  actions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
};

/**
 * What the digest planner does (functions/adapters/dynamo-mail-queue.ts and dynamo-digest-ledger.ts): list the
 * mail queue's waiting posts (Query) and assign them to a digest (conditional UpdateItem); create the digest record once
 * per slot (conditional PutItem), read it, follow its progress (UpdateItem) and find unfinished immediate digests
 * (Query); read the published posts' records (GetItem); list each `SUB#` partition's confirmed subscribers (Query).
 */
const DIGEST_PLANNING: readonly PartitionGrant[] = [
  {
    sid: 'DigestMailQueue',
    actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    leadingKeys: [DIGEST_PARTITIONS.mailQueue],
  },
  {
    sid: 'DigestRecords',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    leadingKeys: [DIGEST_PARTITIONS.digests],
  },
  { sid: 'PublishedPostRecordsReadOnly', actions: ['dynamodb:GetItem'], leadingKeys: [DIGEST_PARTITIONS.posts] },
  { sid: 'ListSubscribers', actions: ['dynamodb:Query'], leadingKeys: [DIGEST_PARTITIONS.subscribers] },
  // A digest with no recipients (or whose batches all completed while it was queueing) is finished by the planner.
  { sid: 'DigestBatchTallies', actions: ['dynamodb:Query'], leadingKeys: [DIGEST_PARTITIONS.batches] },
];

/**
 * What the digest sender does: read the digest it is sending and add to its counters (GetItem, UpdateItem, never a
 * new record); claim each delivery before mailing it and settle it after (conditional PutItem/UpdateItem, so a
 * redelivered batch mails nobody twice); read each recipient's current record (someone who left after planning is
 * not mailed). It cannot list subscribers, change them, or touch the ledger or the posts.
 */
const DIGEST_SENDING: readonly PartitionGrant[] = [
  {
    sid: 'DigestProgress',
    actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    leadingKeys: [DIGEST_PARTITIONS.digests],
  },
  {
    sid: 'DeliveryClaims',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    leadingKeys: [DIGEST_PARTITIONS.deliveries],
  },
  { sid: 'SubscriberRecordsReadOnly', actions: ['dynamodb:GetItem'], leadingKeys: [DIGEST_PARTITIONS.subscribers] },
  {
    sid: 'DigestBatchTallies',
    actions: ['dynamodb:PutItem', 'dynamodb:Query'],
    leadingKeys: [DIGEST_PARTITIONS.batches],
  },
];

/**
 * The publisher's state: one table, `pk`/`sk` keys, and the `byDate` local secondary index.
 *
 * A local index because the publisher needs strongly consistent, date-ordered queries within a partition, which only
 * an LSI offers; the price is that an LSI can only be created with the table (never added later) and caps each
 * partition key's items at 10 GB.
 */
export class StateTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addLocalSecondaryIndex({
      indexName: BY_DATE_INDEX,
      sortKey: { name: BY_DATE_INDEX, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /**
   * Lets a publish function use the post index's partitions and queue posts for digests, and nothing else; see
   * PUBLISHING. `dueEntries: 'handle'` is for the timer, which also lists and clears the due entries.
   * @example stateTable.grantPublishing(dueHandler, { dueEntries: 'handle' })
   */
  grantPublishing(fn: LambdaFunction, { dueEntries = 'write' }: { dueEntries?: 'write' | 'handle' } = {}): void {
    this.grantPartitions(fn, [...PUBLISHING, dueEntries === 'handle' ? HANDLE_DUE_ENTRIES : WRITE_DUE_ENTRIES]);
  }

  /**
   * Lets a function read and write subscriber records and nothing else: the items whose partition key starts with
   * `SUB#` (dynamodb:LeadingKeys), through the base table only. A function facing the public (the subscription API)
   * or fed by SES (bounces) then cannot read drafts' records, claims or the render lease, whatever a bug makes it
   * ask for. Also tells it the table's name (STATE_TABLE_NAME).
   */
  grantSubscriberAccess(fn: LambdaFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'SubscriberRecordsOnly',
        effect: Effect.ALLOW,
        actions: SUBSCRIBER_ACTIONS,
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [SUBSCRIBER_PARTITIONS] } },
      }),
    );
    fn.addEnvironment('STATE_TABLE_NAME', this.table.tableName);
  }

  /** Lets the digest planner use the ledger, digest records, post records and subscriber list; see DIGEST_PLANNING. */
  grantDigestPlanning(fn: LambdaFunction): void {
    this.grantPartitions(fn, DIGEST_PLANNING);
  }

  /** Lets the digest sender read digests and recipients and claim deliveries; see DIGEST_SENDING. */
  grantDigestSending(fn: LambdaFunction): void {
    this.grantPartitions(fn, DIGEST_SENDING);
  }

  /**
   * Lets a function use the digest sending pause flag and nothing else: `actions` on the items whose partition key is
   * `SENDING` (the pause function reads and sets it; the sender only reads it).
   * @example stateTable.grantSendingPause(pauseFunction, ['dynamodb:GetItem', 'dynamodb:PutItem'])
   */
  grantSendingPause(fn: LambdaFunction, actions: readonly string[]): void {
    this.grantPartitions(fn, [{ sid: 'SendingPause', actions: [...actions], leadingKeys: [SENDING_PAUSE_PARTITION] }]);
  }

  /**
   * One statement per partition family, each limited by `dynamodb:LeadingKeys` to the base table (or to the `byDate`
   * index by name, where a Query's LeadingKeys is the index's partition key: for this local index, the table's own
   * `pk`). Every action granted this way names a partition key in its request; never add Scan here: a request
   * without a partition key has no LeadingKeys, and `ForAllValues` is true for an empty set, so the condition would
   * allow the whole table.
   */
  private grantPartitions(fn: LambdaFunction, grants: readonly PartitionGrant[]): void {
    for (const { sid, actions, leadingKeys, byDateIndex } of grants) {
      fn.addToRolePolicy(
        new PolicyStatement({
          sid,
          effect: Effect.ALLOW,
          actions,
          resources: [byDateIndex ? `${this.table.tableArn}/index/${BY_DATE_INDEX}` : this.table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } },
        }),
      );
    }
    fn.addEnvironment('STATE_TABLE_NAME', this.table.tableName);
  }
}
