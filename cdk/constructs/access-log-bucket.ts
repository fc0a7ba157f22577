import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefixes inside the log bucket, one per source, so each can be queried (Athena) on its own. */
export const ACCESS_LOG_PREFIXES = {
  contentBucket: 's3/content/',
  distribution: 'cloudfront/site/',
} as const;

/**
 * Where S3 server access logs and CloudFront standard logs go, kept 90 days.
 *
 * ACLs stay enabled (BucketOwnerPreferred) because CloudFront standard logging still delivers through the
 * awslogsdelivery ACL grant; S3 server access logs are delivered through the bucket policy CDK adds.
 */
export class AccessLogBucket extends Construct {
  readonly bucket: IBucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Log delivery supports SSE-S3 only, not SSE-KMS.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'ExpireLogs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });
    // Bucket declares `isWebsite: boolean | undefined` where IBucket has `isWebsite?: boolean`, which
    // exactOptionalPropertyTypes rejects; it is the same object. Consumers only need the interface.
    this.bucket = bucket as IBucket;
  }
}
