import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALIAS_REDIRECT_CODE, INDEX_REWRITE_CODE } from '../../cdk/constructs/site-distribution.ts';
import type { PublisherStack } from '../../cdk/publisher-stack.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import type { SiteConfig } from '../../functions/core/types.ts';
import { actionsOf, arnOf, logicalId, type Statement, synthesisePublisherStack } from '../support/stack-template.ts';

// The stack is synthesised once with the feature flags of cdk.json and cdk-nag on, and without bundling (see
// tests/support/stack-template.ts); every test only reads it.
const siteConfig: SiteConfig = parseSiteConfig({
  title: 'Test Notes',
  baseUrl: 'https://notes.example/',
  iframeHosts: ['player.vimeo.com'],
  mail: { from: 'news@notes.example', fromName: 'Test Notes', postalAddress: '1 Test Street, Testville' },
});

let stack: PublisherStack;
let template: Template;
const objectArn = (element: IConstruct | undefined, suffix: string) => ({ 'Fn::Join': ['', [arnOf(element), suffix]] });

const statementsOf = (resource: { Properties: { PolicyDocument: { Statement: Statement[] } } }) =>
  resource.Properties.PolicyDocument.Statement;

beforeAll(() => {
  // Throws when cdk-nag reports any finding that is not acknowledged.
  ({ stack, template } = synthesisePublisherStack(siteConfig));
});

describe('cdk-nag and synthesis', () => {
  it('synthesises with no errors and no unacknowledged warnings', () => {
    const annotations = Annotations.fromStack(stack);

    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('outputs the bucket name, the site domain and URL, and the table name', () => {
    template.hasOutput('ContentBucketName', { Value: { Ref: logicalId(stack.content.bucket.node.defaultChild) } });
    template.hasOutput('SiteDomainName', {
      Value: { 'Fn::GetAtt': [logicalId(stack.site.distribution.node.defaultChild), 'DomainName'] },
    });
    template.hasOutput('SiteUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    template.hasOutput('StateTableName', { Value: { Ref: logicalId(stack.state.table.node.defaultChild) } });
  });
});

describe('ContentBucket', () => {
  it('blocks public access, encrypts with S3-managed keys, versions and retains the content bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]),
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: logicalId(stack.accessLogs.bucket.node.defaultChild) },
          LogFilePrefix: 's3/content/',
        },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('denies every request to the content bucket that is not over TLS 1.2 or later', () => {
    const bucket = stack.content.bucket.node.defaultChild;

    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [arnOf(bucket), objectArn(bucket, '/*')],
          }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  it('lets CloudFront read site/ only, and only for this distribution', () => {
    const bucket = stack.content.bucket.node.defaultChild;
    const policies = template.findResources('AWS::S3::BucketPolicy', {
      Properties: { Bucket: { Ref: logicalId(bucket) } },
    });
    const cloudFront = Object.values(policies)
      .flatMap((policy) => statementsOf(policy as never))
      .filter((statement) => JSON.stringify(statement.Principal).includes('cloudfront'));

    expect(cloudFront).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: objectArn(bucket, '/site/*'),
        Condition: {
          StringEquals: { 'AWS:SourceArn': expect.objectContaining({ 'Fn::Join': expect.anything() }) },
        },
      }),
    ]);
    expect(JSON.stringify(cloudFront[0]?.Condition)).toContain(logicalId(stack.site.distribution.node.defaultChild));
  });
});

describe('StateTable', () => {
  it('keys the table by pk and sk, on demand, with PITR, encryption and retention', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('has exactly one local secondary index, byDate, sorted by a string byDate with all attributes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'byDate', AttributeType: 'S' }]),
      LocalSecondaryIndexes: [
        {
          IndexName: 'byDate',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'byDate', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      GlobalSecondaryIndexes: Match.absent(),
    });
  });
});

describe('PublishFunction', () => {
  it('runs Node.js 24 on arm64 with the project defaults', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 30,
      MemorySize: 512,
      LoggingConfig: { LogGroup: { Ref: logicalId(stack.publish.handler.logs.node.defaultChild) } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('tells the function where the bucket, prefixes and table are, and the validated site config', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          CONTENT_BUCKET_NAME: { Ref: logicalId(stack.content.bucket.node.defaultChild) },
          STATE_TABLE_NAME: { Ref: logicalId(stack.state.table.node.defaultChild) },
          POSTS_PREFIX: 'posts/',
          SITE_PREFIX: 'site/',
          SITE_CONFIG: JSON.stringify(siteConfig),
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('is triggered by created and removed objects under posts/', () => {
    const lambdaConfig = (event: string) => ({
      Events: [event],
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'posts/' }] } },
      LambdaFunctionArn: arnOf(stack.publish.handler.node.defaultChild),
    });

    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalId(stack.content.bucket.node.defaultChild) },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [lambdaConfig('s3:ObjectCreated:*'), lambdaConfig('s3:ObjectRemoved:*')],
      },
    });
  });

  it('retries a failed event twice, then sends it to an encrypted, TLS-only queue', () => {
    const queue = stack.publish.failures.node.defaultChild;

    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack.publish.handler.node.defaultChild) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: arnOf(queue) } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('runs the due-post publisher every 5 minutes, with the same bucket and table', () => {
    const dueFunction = logicalId(stack.publish.dueHandler.node.defaultChild);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: Match.arrayWith([
        Match.objectLike({ Arn: { 'Fn::GetAtt': [dueFunction, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } }),
      ]),
    });
    const due = template.findResources('AWS::Lambda::Function')[dueFunction];
    expect(Object.keys(due?.Properties?.Environment?.Variables ?? {})).toEqual(
      expect.arrayContaining(['CONTENT_BUCKET_NAME', 'STATE_TABLE_NAME', 'SITE_CONFIG']),
    );
  });

  it('has no reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('grants S3 object access by prefix: read posts/, write and delete reports, read-write-delete site/', () => {
    const bucket = stack.content.bucket.node.defaultChild;
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalId(stack.publish.handler.role?.node.defaultChild) }] },
    });
    const s3 = Object.values(policies)
      .flatMap((policy) => statementsOf(policy as never))
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));

    expect(s3).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 's3:GetObject', Resource: objectArn(bucket, '/posts/*') }),
        expect.objectContaining({
          Action: ['s3:DeleteObject', 's3:PutObject'],
          Resource: objectArn(bucket, '/posts/*.report.txt'),
        }),
        expect.objectContaining({
          Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          Resource: objectArn(bucket, '/site/*'),
        }),
        // Bucket-level, so that a missing key answers 404 rather than 403.
        expect.objectContaining({ Action: 's3:ListBucket', Resource: arnOf(bucket) }),
      ]),
    );
    expect(s3).toHaveLength(4);
  });

  it.each([
    ['publish-post', () => stack.publish.handler],
    ['publish-due', () => stack.publish.dueHandler],
  ])('limits %s to its partitions of the table, and the byDate index to Query by name', (_name, fn) => {
    const table = stack.state.table.node.defaultChild;
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalId(fn().role?.node.defaultChild) }] },
    });
    const dynamo = Object.values(policies)
      .flatMap((policy) => statementsOf(policy as never))
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));

    expect(dynamo.length).toBeGreaterThan(0);
    for (const statement of dynamo) {
      // tests/cdk/publish-grants-match-code.test.ts checks the keys against what the code calls.
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.any(Array) },
      });
      expect(actionsOf(statement)).not.toContain('dynamodb:Scan');
    }
    expect(dynamo.filter((statement) => JSON.stringify(statement.Resource).includes('/index/'))).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: objectArn(table, '/index/byDate'),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SRC'] } },
      }),
    ]);
  });
});

describe('IAM across the stack', () => {
  it('allows no wildcard action, and no action on every resource except reading the SES send quota', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      statementsOf(policy as never),
    );

    for (const statement of statements) {
      expect(actionsOf(statement).filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
      // ses:GetSendQuota has no resource-level permissions (digests.test.ts checks it stands alone).
      if (statement.Action !== 'ses:GetSendQuota') expect(statement.Resource).not.toEqual('*');
    }
  });

  it('gives the publish role no AWS managed policy (its log permissions name its own log group)', () => {
    const role = template.toJSON().Resources[logicalId(stack.publish.handler.role?.node.defaultChild)];

    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: arnOf(stack.publish.handler.logs.node.defaultChild),
          }),
        ]),
      },
    });
  });
});

describe('SiteDistribution', () => {
  it('serves site/ from the bucket through Origin Access Control', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        // The other origin is the subscription API (subscriptions.test.ts).
        Origins: Match.arrayWith([
          Match.objectLike({
            DomainName: { 'Fn::GetAtt': [logicalId(stack.content.bucket.node.defaultChild), 'RegionalDomainName'] },
            OriginPath: '/site',
            OriginAccessControlId: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }),
          }),
        ]),
        DefaultRootObject: 'index.html',
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
  });

  it('answers a missing page with the site’s own 404 page and a 404 status, not S3’s 403 XML', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 404, ResponsePagePath: '/404.html', ErrorCachingMinTTL: 60 },
          { ErrorCode: 404, ResponseCode: 404, ResponsePagePath: '/404.html', ErrorCachingMinTTL: 60 },
        ],
      }),
    });
  });

  it('redirects to HTTPS, compresses, adds security headers, rewrites folder paths and answers 301 for aliases', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          Compress: true,
          AllowedMethods: ['GET', 'HEAD'],
          ResponseHeadersPolicyId: { Ref: Match.stringLikeRegexp('SecurityHeaders') },
          CachePolicyId: { Ref: Match.stringLikeRegexp('CachePolicy') },
          FunctionAssociations: [
            {
              EventType: 'viewer-request',
              FunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('IndexRewrite'), 'FunctionARN'] },
            },
            {
              EventType: 'viewer-response',
              FunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('AliasRedirect'), 'FunctionARN'] },
            },
          ],
        }),
        HttpVersion: 'http2and3',
        PriceClass: 'PriceClass_100',
        Logging: Match.objectLike({
          Bucket: { 'Fn::GetAtt': [logicalId(stack.accessLogs.bucket.node.defaultChild), 'RegionalDomainName'] },
        }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: INDEX_REWRITE_CODE,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: ALIAS_REDIRECT_CODE,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
    });
  });

  it('sends HSTS, nosniff, DENY framing, a referrer policy and a script-free CSP', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31_536_000, Override: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.stringLikeRegexp(
              "script-src 'none'.*frame-src https://player\\.vimeo\\.com;.*frame-ancestors 'none'",
            ),
            Override: true,
          },
        },
      }),
    });
  });

  it('caches by the origin Cache-Control, with no query strings, cookies or headers in the key', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          EnableAcceptEncodingGzip: true,
          EnableAcceptEncodingBrotli: true,
          QueryStringsConfig: { QueryStringBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
        }),
      }),
    });
  });
});
