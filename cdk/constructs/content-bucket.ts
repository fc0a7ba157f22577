import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ACCESS_LOG_PREFIXES, type AccessLogBucket } from './access-log-bucket.ts';

/** Author uploads: Markdown posts and their images. */
export const POSTS_PREFIX = 'posts/';
/** Everything public: feeds, pages, copied images. The distribution serves this prefix as its root. */
export const SITE_PREFIX = 'site/';

export interface ContentBucketProps {
  /** Receives the S3 server access logs. */
  accessLogs: AccessLogBucket;
}

/**
 * The one private bucket behind the publisher: authors write under `posts/`, the publish function writes the public
 * site under `site/`, and only the distribution reads `site/`. Versioned so an overwritten or deleted post can be
 * recovered for 30 days.
 */
export class ContentBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ContentBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'ExpireOldVersions',
          noncurrentVersionExpiration: Duration.days(30),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      serverAccessLogsBucket: props.accessLogs.bucket,
      serverAccessLogsPrefix: ACCESS_LOG_PREFIXES.contentBucket,
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });
  }

  get bucketName(): string {
    return this.bucket.bucketName;
  }

  /**
   * Lets a function publish: read posts, write and delete rejection reports beside them (`<post>.report.txt` under
   * `posts/`), and read, write and delete the public site. Also tells the function where (CONTENT_BUCKET_NAME,
   * POSTS_PREFIX, SITE_PREFIX).
   */
  grantPublishing(fn: LambdaFunction): void {
    const arn = (key: string) => this.bucket.arnForObjects(key);
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadPosts',
        effect: Effect.ALLOW,
        actions: ['s3:GetObject'],
        resources: [arn(`${POSTS_PREFIX}*`)],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'WriteRejectionReports',
        effect: Effect.ALLOW,
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [arn(`${POSTS_PREFIX}*.report.txt`)],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'PublishSite',
        effect: Effect.ALLOW,
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [arn(`${SITE_PREFIX}*`)],
      }),
    );
    // Without s3:ListBucket, S3 answers 403 instead of 404 for a missing key, and the publisher must tell "already
    // deleted" (an author removed the post before the event arrived) from a real failure. A prefix condition would
    // not help: a GetObject or HeadObject request carries no s3:prefix, so S3 would still answer 403. Listing reveals
    // only key names under posts/ and site/, the only prefixes the bucket has, which the function may read anyway.
    // The publisher also lists posts/ to find a migrated site's settings and templates and the posts they refer to.
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'TellMissingKeysApart',
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
    this.acknowledgePrefixWildcards(fn);
    fn.addEnvironment('CONTENT_BUCKET_NAME', this.bucket.bucketName);
    fn.addEnvironment('POSTS_PREFIX', POSTS_PREFIX);
    fn.addEnvironment('SITE_PREFIX', SITE_PREFIX);
  }

  /** cdk-nag flags every `*` in a resource; these are the prefix scopes above, each acknowledged by name. */
  private acknowledgePrefixWildcards(fn: LambdaFunction): void {
    const bucketLogicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    const reasons: Record<string, string> = {
      [`${POSTS_PREFIX}*`]: 'The publisher reads any post or image an author uploads under posts/ (read only).',
      [`${POSTS_PREFIX}*.report.txt`]:
        'Rejection reports are written beside the post they describe, and deleted once it publishes; *.report.txt only.',
      [`${SITE_PREFIX}*`]:
        'The publisher owns the public site: it writes, overwrites and deletes any file under site/.',
    };
    const nag = Validations.of(fn.role ?? fn);
    for (const [key, reason] of Object.entries(reasons)) {
      nag.acknowledge({ id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${key}]`, reason });
    }
  }
}
