import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Grant, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** The local secondary index (and its sort key attribute) that orders a partition's items by date. */
export const BY_DATE_INDEX = 'byDate';

/** Item-level actions only: no table management, no streams. */
const READ_WRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** Leading key of every subscriber record (`SUB#00`..`SUB#15`): see functions/adapters/dynamo-subscriber-store.ts. */
export const SUBSCRIBER_PARTITIONS = 'SUB#*';

/**
 * What the deployed functions do with subscriber records: read one, write one (with a version condition). Listing
 * (Query) and erasing (DeleteItem) are the operator's, through the CLI, so a bug in the public API cannot read out
 * or delete the list.
 */
const SUBSCRIBER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'];

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
   * Lets a function read and write items of the table and query the `byDate` index (named, not `index/*`), and tells
   * it the table's name (STATE_TABLE_NAME).
   */
  grantReadWrite(fn: LambdaFunction): Grant {
    const grant = Grant.addToPrincipal({
      grantee: fn,
      actions: READ_WRITE_ACTIONS,
      resourceArns: [this.table.tableArn, `${this.table.tableArn}/index/${BY_DATE_INDEX}`],
    });
    fn.addEnvironment('STATE_TABLE_NAME', this.table.tableName);
    return grant;
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
}
