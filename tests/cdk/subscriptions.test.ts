import { App } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { beforeAll, describe, expect, it } from 'vitest';
import { PublisherStack } from '../../cdk/publisher-stack.ts';
import { ConfigError } from '../../functions/core/errors.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import type { SiteConfig } from '../../functions/core/types.ts';
import {
  acknowledgedIn,
  actionsOf,
  arnOf,
  logicalId,
  readTemplate,
  ref,
  type Statement,
  synthesisePublisherStack,
  withPrefix,
} from '../support/stack-template.ts';

// The subscription API and the mail feedback loop, synthesised once with the feature flags of cdk.json and cdk-nag
// on; every test only reads the template. Bundling is skipped (see tests/support/stack-template.ts).
const siteConfig: SiteConfig = parseSiteConfig({
  title: 'Test Notes',
  baseUrl: 'https://notes.example/',
  mail: { from: 'News@Notes.example', fromName: 'Test Notes', postalAddress: '1 Test Street, Testville' },
});

let stack: PublisherStack;
let template: Template;
const { propertiesOf, roleStatements, variablesOf } = readTemplate(() => template);

beforeAll(() => {
  // Throws when cdk-nag reports any finding that is not acknowledged.
  ({ stack, template } = synthesisePublisherStack(siteConfig));
});

describe('synthesis', () => {
  it('has no unacknowledged cdk-nag finding, error or warning', () => {
    const annotations = Annotations.fromStack(stack);

    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges only open routes, the operator-rotated token key and the dead-letter queue, each with a reason', () => {
    const acknowledged = {
      ...acknowledgedIn(stack.subscriptions),
      ...acknowledgedIn(stack.feedback),
    };

    expect(Object.keys(acknowledged).sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-SMG4', 'AwsSolutions-SQS3']);
    expect(acknowledged['AwsSolutions-SMG4']).toMatch(/tokens rotate.*keeps the replaced key accepted/);
    expect(acknowledged['AwsSolutions-APIG4']).toMatch(/sealed \(authenticated, encrypted\) token/);
    expect(acknowledgedIn(stack.subscriptions.requestsDeadLetters)['AwsSolutions-SQS3']).toMatch(
      /itself the dead-letter queue of the subscribe requests/,
    );
  });

  it('refuses to synthesise without a mail section, saying what to add', () => {
    const { mail: _mail, ...withoutMail } = siteConfig;

    const build = () => new PublisherStack(new App(), 'NoMail', { siteConfig: withoutMail });

    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/no "mail" section.*"from": "news@your-domain"/s);
  });

  it('outputs the public API URL, the configuration set name and the feedback topic', () => {
    template.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          ['https://', { 'Fn::GetAtt': [logicalId(stack.site.distribution.node.defaultChild), 'DomainName'] }, '/api/'],
        ],
      },
    });
    template.hasOutput('ConfigurationSetName', { Value: ref(stack.feedback.configurationSet) });
    template.hasOutput('FeedbackTopicArn', { Value: ref(stack.feedback.topic) });
  });
});

describe('SubscriptionApi: the HTTP API', () => {
  it('routes GET and POST of subscribe, confirm and unsubscribe, and nothing else, to the handler', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );
    const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration'));

    expect(routes.sort()).toEqual([
      'GET /api/confirm',
      'GET /api/subscribe',
      'GET /api/unsubscribe',
      'POST /api/confirm',
      'POST /api/subscribe',
      'POST /api/unsubscribe',
    ]);
    expect(integrations).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: arnOf(stack.subscriptions.handler),
        }),
      }),
    ]);
  });

  it('throttles every route, the subscribe form hardest and one-click unsubscribes on a budget of their own', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: ref(stack.subscriptions.api),
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      RouteSettings: {
        'POST /api/subscribe': { ThrottlingRateLimit: 2, ThrottlingBurstLimit: 5 },
        'POST /api/unsubscribe': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      },
    });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const routeIds = Object.keys(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(stage?.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('logs each request to a log group kept a month, by route and never with the token-bearing query string', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const format = stage?.Properties.AccessLogSettings.Format as string;

    expect(stage?.Properties.AccessLogSettings.DestinationArn).toEqual(arnOf(stack.subscriptions.accessLogs));
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Delete',
    });
    expect(propertiesOf(stack.subscriptions.accessLogs)).toEqual({
      RetentionInDays: 30,
    });
    expect(JSON.parse(format)).toMatchObject({ requestId: '$context.requestId', route: '$context.routeKey' });
    expect(format).not.toMatch(/\$context\.path|querystring|rawQuery/i);
  });
});

describe('SubscriptionApi: the functions and their permissions', () => {
  it('tells the API function the table, the site config, the secret ARN and the request queue, but no secret value', () => {
    const variables = variablesOf(stack.subscriptions.handler);

    expect(variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      STATE_TABLE_NAME: ref(stack.state.table),
      SITE_CONFIG: JSON.stringify(siteConfig),
      TOKEN_SECRET_ARN: ref(stack.subscriptions.tokenKey),
      SUBSCRIBE_QUEUE_URL: ref(stack.subscriptions.requests),
    });
    expect(variables).not.toHaveProperty('SES_CONFIGURATION_SET');
    expect(JSON.stringify(variables)).not.toMatch(/resolve:secretsmanager|SecretString/);
  });

  it('tells the confirmation sender the table, the site config, the secret ARN and the configuration set', () => {
    const variables = variablesOf(stack.subscriptions.confirmationSender);

    expect(variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      STATE_TABLE_NAME: ref(stack.state.table),
      SITE_CONFIG: JSON.stringify(siteConfig),
      TOKEN_SECRET_ARN: ref(stack.subscriptions.tokenKey),
      SES_CONFIGURATION_SET: ref(stack.feedback.configurationSet),
    });
    expect(JSON.stringify(variables)).not.toMatch(/resolve:secretsmanager|SecretString/);
  });

  it('generates a 64-character key without punctuation at deploy time and keeps it when the stack goes', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
        SecretString: Match.absent(),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.resourcePropertiesCountIs('AWS::SecretsManager::RotationSchedule', {}, 0);
  });

  it('names the token secret in an output, for `cli tokens rotate --secret`', () => {
    template.hasOutput('TokenSecretArn', { Value: ref(stack.subscriptions.tokenKey) });
  });

  it.each([
    ['the API function', () => stack.subscriptions.handler],
    ['the confirmation sender', () => stack.subscriptions.confirmationSender],
  ])('lets %s read the token key and nothing else from Secrets Manager', (_name, fn) => {
    const secrets = withPrefix(roleStatements(fn().role), 'secretsmanager:');

    expect(secrets).toEqual([
      expect.objectContaining({
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: ref(stack.subscriptions.tokenKey),
      }),
    ]);
  });

  it('lets the confirmation sender send raw mail only as the configured sender and with the feedback configuration set', () => {
    const identity = (name: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:identity/${name}`,
        ],
      ],
    });
    const configurationSet = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ses:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':configuration-set/',
          ref(stack.feedback.configurationSet),
        ],
      ],
    };

    const ses = withPrefix(roleStatements(stack.subscriptions.confirmationSender.role), 'ses:');

    expect(ses).toEqual([
      {
        Sid: 'SendAsTheNewsletter',
        Effect: 'Allow',
        Action: 'ses:SendRawEmail',
        Resource: expect.arrayContaining([identity('notes.example'), identity('News@notes.example'), configurationSet]),
        // Exactly as configured: the mailer sends it as the Source of every message.
        Condition: { StringEquals: { 'ses:FromAddress': 'News@Notes.example' } },
      },
    ]);
    expect(ses[0]?.Resource).toHaveLength(3);
  });

  it('lets the API function send no mail, so no subscribe answer waits for SES', () => {
    const statements = roleStatements(stack.subscriptions.handler.role);

    expect(withPrefix(statements, 'ses:')).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain('ses:SendRawEmail');
  });

  it('lets the API function send to the request queue and use no other queue', () => {
    const sqs = withPrefix(roleStatements(stack.subscriptions.handler.role), 'sqs:');

    expect(sqs).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: arnOf(stack.subscriptions.requests),
      },
    ]);
  });

  it('lets the confirmation sender consume the request queue, and send to no queue', () => {
    const sqs = withPrefix(roleStatements(stack.subscriptions.confirmationSender.role), 'sqs:');

    expect(sqs).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        Resource: arnOf(stack.subscriptions.requests),
      },
    ]);
  });

  it('grants no SES sending action on every resource anywhere in the stack', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    // ses:GetSendQuota reads the account's limits and has no resource-level permissions (digests.test.ts).
    const ses = statements.filter(
      (statement) => statement.Action !== 'ses:GetSendQuota' && actionsOf(statement).some((a) => a.startsWith('ses:')),
    );

    expect(ses).not.toEqual([]);
    for (const statement of ses) expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"|\/\*"/);
  });

  it.each([
    ['the subscription API', () => stack.subscriptions.handler],
    ['the confirmation sender', () => stack.subscriptions.confirmationSender],
    ['the feedback function', () => stack.feedback.handler],
  ])('gives %s the subscriber records (SUB# keys) of the table and nothing else of it', (_name, fn) => {
    const dynamo = withPrefix(roleStatements(fn().role), 'dynamodb:');

    expect(dynamo).toEqual([
      {
        Sid: 'SubscriberRecordsOnly',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: arnOf(stack.state.table),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SUB#*'] } },
      },
    ]);
  });
});

describe('SubscriptionApi: the request queue and the confirmation sender', () => {
  it('hands queued requests to the confirmation sender 10 at a time, failures one by one, two senders at most', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::EventSourceMapping',
      { EventSourceArn: arnOf(stack.subscriptions.requests) },
      1,
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.subscriptions.requests),
      FunctionName: ref(stack.subscriptions.confirmationSender),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('gives the confirmation sender 90 seconds, the memory of the API function and no reserved concurrency', () => {
    const properties = propertiesOf(stack.subscriptions.confirmationSender);
    const api = propertiesOf(stack.subscriptions.handler);

    expect(properties).toMatchObject({ Timeout: 90, MemorySize: api.MemorySize });
    expect(properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('keeps requests encrypted, hidden six sender timeouts while in flight, and sets one aside after 5 receives', () => {
    expect(propertiesOf(stack.subscriptions.requests)).toEqual({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 90,
      MessageRetentionPeriod: 4 * 24 * 60 * 60,
      RedrivePolicy: { deadLetterTargetArn: arnOf(stack.subscriptions.requestsDeadLetters), maxReceiveCount: 5 },
    });
    expect(propertiesOf(stack.subscriptions.requestsDeadLetters)).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
  });

  it.each([
    ['request queue', () => stack.subscriptions.requests],
    ['dead-letter queue', () => stack.subscriptions.requestsDeadLetters],
  ])('refuses any use of the %s without TLS', (_name, queue) => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(queue())],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('raises an alarm on one request in the dead-letter queue and on one error of the confirmation sender', () => {
    const alarmProperties = (id: string) => propertiesOf(stack.alarms.alarms[id]);

    expect(alarmProperties('SubscribeRequestsDeadLetters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stack.subscriptions.requestsDeadLetters.node.defaultChild), 'QueueName'] },
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [ref(stack.alarms.topic)],
    });
    expect(alarmProperties('ConfirmationSenderErrors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref(stack.subscriptions.confirmationSender) }],
      Threshold: 1,
      AlarmActions: [ref(stack.alarms.topic)],
    });
  });

  it('outputs the dead-letter queue to redrive from', () => {
    template.hasOutput('SubscribeRequestDeadLetterQueueUrl', { Value: ref(stack.subscriptions.requestsDeadLetters) });
  });
});

describe('SiteDistribution: /api/*', () => {
  it('sends /api/* to the API over HTTPS, uncached, all methods, without the Host header', () => {
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0];
    const config = distribution?.Properties.DistributionConfig;
    const behavior = config.CacheBehaviors.find((entry: { PathPattern: string }) => entry.PathPattern === '/api/*');
    const origin = config.Origins.find((entry: { Id: string }) => entry.Id === behavior?.TargetOriginId);

    expect(behavior).toEqual({
      PathPattern: '/api/*',
      TargetOriginId: expect.any(String),
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachedMethods: ['GET', 'HEAD'],
      CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
      OriginRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
      ResponseHeadersPolicyId: { Ref: expect.stringMatching(/^SiteApiSecurityHeaders/) },
      Compress: true,
    });
    expect(origin).toEqual({
      Id: behavior.TargetOriginId,
      DomainName: {
        'Fn::Join': [
          '',
          [ref(stack.subscriptions.api), '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
        ],
      },
      CustomOriginConfig: expect.objectContaining({ OriginProtocolPolicy: 'https-only' }),
    });
  });

  it('lets forms post to the site itself, on the site and the API pages alike, and still allows no scripts', () => {
    const policies = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const csps: string[] = policies.map(
      (policy) =>
        policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy,
    );

    expect(csps).toHaveLength(2);
    for (const csp of csps) {
      expect(csp.split('; ')).toEqual(
        expect.arrayContaining(["form-action 'self' https://notes.example", "script-src 'none'", "default-src 'none'"]),
      );
      expect(csp).not.toContain("form-action 'none'");
    }
  });

  it('sends no referrer from the API pages, whose URLs carry tokens', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        Name: Match.stringLikeRegexp('ApiSecurityHeaders'),
        SecurityHeadersConfig: Match.objectLike({ ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true } }),
      }),
    });
  });
});

describe('MailFeedback', () => {
  it('keeps reputation metrics, sends, and lets SES suppress bounced and complaining addresses itself', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('publishes bounces and complaints, and only those, to the feedback topic', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: ref(stack.feedback.configurationSet),
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: ref(stack.feedback.topic) },
      },
    });
  });

  it('encrypts the topic with a rotated key that SES may use through SNS, and refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(stack.feedback.topicKey) });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'kms:ViaService': Match.anyValue() } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(stack.feedback.topic)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: Match.objectLike({ 'AWS:SourceArn': Match.anyValue() }) },
          }),
        ]),
      },
    });
  });

  it('subscribes the feedback function, with undeliverable notifications going to the failures queue', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: ref(stack.feedback.topic),
      Endpoint: arnOf(stack.feedback.handler),
      RedrivePolicy: { deadLetterTargetArn: arnOf(stack.feedback.failures) },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      FunctionName: arnOf(stack.feedback.handler),
      SourceArn: ref(stack.feedback.topic),
    });
  });

  it('retries a failing notification twice, then keeps it 14 days in an encrypted, TLS-only queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(stack.feedback.handler),
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: arnOf(stack.feedback.failures) } },
    });
    expect(propertiesOf(stack.feedback.failures)).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(stack.feedback.failures)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': ref(stack.feedback.topic) } },
          }),
        ]),
      },
    });
  });

  it('tells the feedback function only where the table is', () => {
    expect(variablesOf(stack.feedback.handler)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      STATE_TABLE_NAME: ref(stack.state.table),
    });
  });
});
