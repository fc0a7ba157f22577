import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../../functions/core/errors.ts';
import type { SiteConfig } from '../../functions/core/types.ts';
import { type ContentBucket, POSTS_PREFIX } from './content-bucket.ts';
import { NodeFunction } from './node-function.ts';
import { deadLetterStore } from './queues.ts';
import type { StateTable } from './state-table.ts';

/** Id CDK gives the stack-wide singleton Lambda that applies S3 notification configurations. */
const BUCKET_NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** Lambda environment variables share 4 KB; leave room for the others. */
const MAX_SITE_CONFIG_BYTES = 3072;

export interface PublishFunctionProps {
  contentBucket: ContentBucket;
  stateTable: StateTable;
  /** The validated site configuration, handed to the function as SITE_CONFIG. */
  siteConfig: SiteConfig;
}

/**
 * The publisher: a function that S3 invokes (asynchronously) whenever something under `posts/` is created or
 * removed, and that rebuilds the affected parts of `site/`.
 *
 * Lambda retries a failed event twice; an event that still fails, or that waits more than 6 hours, lands in the
 * `Failures` queue with its error, so no upload is silently dropped. No reserved concurrency: the publisher is
 * safe to run concurrently.
 *
 * The function's own rejection reports (`posts/*.report.txt`) also match the `posts/` notification (S3 filters
 * cannot exclude a suffix), so the handler must ignore them.
 */
export class PublishFunction extends Construct {
  readonly handler: NodeFunction;
  /** Publishes scheduled posts when their publishDate comes and withdraws expired ones. */
  readonly dueHandler: NodeFunction;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: PublishFunctionProps) {
    super(scope, id);
    const siteConfig = JSON.stringify(props.siteConfig);
    if (Buffer.byteLength(siteConfig) > MAX_SITE_CONFIG_BYTES) {
      throw new ConfigError(
        `The site config is ${Buffer.byteLength(siteConfig)} bytes as JSON; SITE_CONFIG allows ${MAX_SITE_CONFIG_BYTES}.`,
      );
    }

    this.failures = deadLetterStore(
      this,
      'Failures',
      'This queue is itself the dead-letter store: the on-failure destination of the publish function. A DLQ ' +
        'for it would only move the same failed events one queue further.',
    );

    this.handler = new NodeFunction(this, 'Handler', {
      entry: 'functions/handlers/publish-post.ts',
      // The theme's static files (stylesheet), read once at cold start and copied to site/ on publish.
      copyIntoBundle: { 'templates/site': 'site' },
      description: 'Publishes posts uploaded under posts/ to the site, feeds and state table',
      environment: { SITE_CONFIG: siteConfig },
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.failures),
    });
    props.contentBucket.grantPublishing(this.handler);
    props.stateTable.grantPublishing(this.handler);

    const trigger = new LambdaDestination(this.handler);
    const postsOnly = { prefix: POSTS_PREFIX };
    props.contentBucket.bucket.addEventNotification(EventType.OBJECT_CREATED, trigger, postsOnly);
    props.contentBucket.bucket.addEventNotification(EventType.OBJECT_REMOVED, trigger, postsOnly);

    this.acknowledgeNotificationsHandler();

    // Scheduled and expiring posts change state with no upload to trigger them: a timer looks every 5 minutes.
    this.dueHandler = new NodeFunction(this, 'DueHandler', {
      entry: 'functions/handlers/publish-due.ts',
      copyIntoBundle: { 'templates/site': 'site' },
      description: 'Publishes scheduled posts that came due and withdraws expired ones',
      environment: { SITE_CONFIG: siteConfig },
      retryAttempts: 0,
    });
    props.contentBucket.grantPublishing(this.dueHandler);
    props.stateTable.grantPublishing(this.dueHandler, { dueEntries: 'handle' });
    new Rule(this, 'DueTimer', {
      description: 'Publishes scheduled posts and withdraws expired ones',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaTarget(this.dueHandler, { retryAttempts: 2 })],
    });
  }

  /** The singleton that CDK creates to apply the bucket's notification configuration. */
  private acknowledgeNotificationsHandler(): void {
    const notificationsHandler = Stack.of(this).node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER_ID);
    if (!notificationsHandler) return;
    Validations.of(notificationsHandler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'CDK-owned deployment-time helper (Custom::S3BucketNotifications); its role is not configurable and only ' +
        'writes its own logs.',
    });
  }
}
