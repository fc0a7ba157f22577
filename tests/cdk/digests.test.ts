import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestScheduleExpression, SENDER_CONCURRENCY } from '../../cdk/constructs/digest-sender.ts';
import type { PublisherStack } from '../../cdk/publisher-stack.ts';
import { defaultDigestConfig, parseSiteConfig, type SiteConfigInput } from '../../functions/core/site-config.ts';
import type { DigestConfig, SiteConfig } from '../../functions/core/types.ts';
import {
  acknowledgedIn,
  actionsOf,
  arnOf,
  readTemplate,
  ref,
  synthesisePublisherStack,
  withPrefix,
} from '../support/stack-template.ts';

// The digest unit: schedule, planner, batch queue and sender. The stack is synthesised with the feature flags of
// cdk.json and cdk-nag on; bundling is skipped (see tests/support/stack-template.ts). The main stack has a weekly
// digest; the other cadences get stacks of their own, checked for their schedule only.
const siteConfigWith = (digest: SiteConfigInput['digest']): SiteConfig =>
  parseSiteConfig({
    title: 'Test Notes',
    baseUrl: 'https://notes.example/',
    mail: { from: 'News@Notes.example', fromName: 'Test Notes', postalAddress: '1 Test Street, Testville' },
    digest,
  });

const scheduleOf = (template: Template) => {
  const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
  expect(schedules).toHaveLength(1);
  return schedules[0]?.Properties;
};

const siteConfig = siteConfigWith({ cadence: 'weekly', day: 'monday', time: '08:00', timeZone: 'Europe/Berlin' });
let stack: PublisherStack;
let template: Template;
const { propertiesOf, roleStatements } = readTemplate(() => template);

/** The digest items in the table, by leading key: `ForAllValues:StringLike` on dynamodb:LeadingKeys. */
const leadingKeys = (...keys: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } });

beforeAll(() => {
  ({ stack, template } = synthesisePublisherStack(siteConfig));
});

describe('synthesis', () => {
  it('has no unacknowledged cdk-nag finding, error or warning', () => {
    const annotations = Annotations.fromStack(stack);

    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges only the dead-letter stores and the send quota read, each with its reason', () => {
    const acknowledged = acknowledgedIn(stack.digests);

    expect(Object.keys(acknowledged).sort()).toEqual(['AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-SQS3']);
    expect(acknowledged['AwsSolutions-IAM5[Resource::*]']).toMatch(/ses:GetSendQuota supports no resource-level/);
    expect(acknowledgedIn(stack.digests.deadLetterQueue)['AwsSolutions-SQS3']).toMatch(/dead-letter queue of the/);
    expect(acknowledgedIn(stack.digests.planFailures)['AwsSolutions-SQS3']).toMatch(/schedule target and of the/);
    expect(acknowledgedIn(stack.digests.queue)).toEqual({});
    expect(acknowledgedIn(stack.digests.sender)).toEqual({});
  });

  it('outputs the schedule name and the batch, dead-letter and plan-failure queue URLs', () => {
    template.hasOutput('DigestScheduleName', { Value: ref(stack.digests.schedule) });
    template.hasOutput('DigestQueueUrl', { Value: ref(stack.digests.queue) });
    template.hasOutput('DigestDeadLetterQueueUrl', { Value: ref(stack.digests.deadLetterQueue) });
    template.hasOutput('DigestPlanFailuresQueueUrl', { Value: ref(stack.digests.planFailures) });
  });
});

describe('DigestSender: the schedule', () => {
  it('runs a weekly digest on its day and time in its time zone, exactly on time', () => {
    expect(scheduleOf(template)).toMatchObject({
      ScheduleExpression: 'cron(0 8 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
  });

  it('runs a daily digest at its time every day in its time zone', () => {
    const daily = siteConfigWith({ cadence: 'daily', time: '18:30', timeZone: 'America/New_York' });

    const { template: dailyTemplate } = synthesisePublisherStack(daily);

    expect(scheduleOf(dailyTemplate)).toMatchObject({
      ScheduleExpression: 'cron(30 18 * * ? *)',
      ScheduleExpressionTimezone: 'America/New_York',
    });
  });

  it('looks for new posts every 5 minutes when each post is mailed on its own', () => {
    const immediate = siteConfigWith({ cadence: 'immediate' });

    const { template: immediateTemplate } = synthesisePublisherStack(immediate);

    expect(scheduleOf(immediateTemplate)).toMatchObject({ ScheduleExpression: 'rate(5 minutes)' });
  });

  it.each<[Partial<DigestConfig>, string]>([
    [{ cadence: 'weekly', day: 'sunday', time: '23:05' }, 'cron(5 23 ? * SUN *)'],
    [{ cadence: 'weekly', day: 'wednesday', time: '00:00' }, 'cron(0 0 ? * WED *)'],
    [{ cadence: 'daily', day: 'friday', time: '07:45' }, 'cron(45 7 * * ? *)'],
    [{ cadence: 'immediate', time: '09:00' }, 'rate(5 minutes)'],
  ])('turns %o into %s', (digest, expression) => {
    const config: DigestConfig = { ...defaultDigestConfig('Asia/Tokyo'), ...digest };

    const schedule = digestScheduleExpression(config);

    expect(schedule.expressionString).toBe(expression);
    if (config.cadence !== 'immediate') expect(schedule.timeZone?.timezoneName).toBe('Asia/Tokyo');
  });

  it('invokes the planner with the scheduled time, so duplicates of one slot plan the same digest', () => {
    const target = scheduleOf(template).Target;

    expect(target.Arn).toEqual(arnOf(stack.digests.planner));
    expect(JSON.parse(target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
  });

  it('retries delivery 3 times within an hour, then keeps the invocation in the plan-failures queue', () => {
    expect(scheduleOf(template).Target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: arnOf(stack.digests.planFailures) },
      RoleArn: arnOf(stack.digests.scheduleRole),
    });
  });

  it("uses a role that only this account's schedules may assume and that may invoke only the planner", () => {
    const role = propertiesOf(stack.digests.scheduleRole);

    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':scheduler:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':schedule-group/default',
                ],
              ],
            },
          },
        },
      },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(roleStatements(stack.digests.scheduleRole)).toEqual([
      {
        Sid: 'InvokeThePlannerOnly',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        // The unqualified function only: no `:*` for versions and aliases.
        Resource: arnOf(stack.digests.planner),
      },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(stack.digests.planFailures) },
    ]);
  });
});

describe('DigestSender: the planner', () => {
  it('has 10 minutes, and retries a failing run twice within an hour before keeping it with its error', () => {
    expect(propertiesOf(stack.digests.planner)).toMatchObject({ Timeout: 600, Runtime: 'nodejs24.x' });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(stack.digests.planner),
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: arnOf(stack.digests.planFailures) } },
    });
  });

  it('is told the table, the site config and the queue, and nothing else', () => {
    expect(propertiesOf(stack.digests.planner).Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      STATE_TABLE_NAME: ref(stack.state.table),
      SITE_CONFIG: JSON.stringify(siteConfig),
      DIGEST_QUEUE_URL: ref(stack.digests.queue),
    });
  });

  it('may use the ledger, digest records, post records and subscriber list, each by leading key', () => {
    const dynamo = withPrefix(roleStatements(stack.digests.planner.role), 'dynamodb:');
    const table = arnOf(stack.state.table);

    expect(dynamo).toEqual([
      {
        Sid: 'DigestMailQueue',
        Effect: 'Allow',
        Action: ['dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: table,
        Condition: leadingKeys('MAILQ'),
      },
      {
        Sid: 'DigestRecords',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: table,
        Condition: leadingKeys('DIGEST'),
      },
      {
        Sid: 'PublishedPostRecordsReadOnly',
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: table,
        Condition: leadingKeys('SRC'),
      },
      {
        Sid: 'ListSubscribers',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: table,
        Condition: leadingKeys('SUB#*'),
      },
      {
        Sid: 'DigestBatchTallies',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: table,
        Condition: leadingKeys('BATCH#*'),
      },
      {
        Sid: 'SendingPause',
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: table,
        Condition: leadingKeys('SENDING'),
      },
    ]);
  });

  it('may send to the batch queue and its own failure queue only, and may not mail anyone', () => {
    const statements = roleStatements(stack.digests.planner.role);
    const sqs = withPrefix(statements, 'sqs:');

    expect(sqs).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: [arnOf(stack.digests.queue), arnOf(stack.digests.planFailures)],
      },
    ]);
    expect(withPrefix(statements, 'ses:')).toEqual([]);
    expect(withPrefix(statements, 'secretsmanager:')).toEqual([]);
  });
});

describe('DigestSender: the batch queue', () => {
  it('is encrypted, hides a batch for six times the sender timeout, and sets it aside after 5 receives', () => {
    const senderTimeout = propertiesOf(stack.digests.sender).Timeout as number;

    expect(propertiesOf(stack.digests.queue)).toEqual({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * senderTimeout,
      MessageRetentionPeriod: 4 * 24 * 60 * 60,
      RedrivePolicy: { deadLetterTargetArn: arnOf(stack.digests.deadLetterQueue), maxReceiveCount: 50 },
    });
  });

  it.each([
    ['dead-letter queue', () => stack.digests.deadLetterQueue],
    ['plan-failures queue', () => stack.digests.planFailures],
  ])('keeps the %s encrypted for 14 days', (_name, queue) => {
    expect(propertiesOf(queue())).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 60 * 60 });
  });

  it.each([
    ['batch queue', () => stack.digests.queue],
    ['dead-letter queue', () => stack.digests.deadLetterQueue],
    ['plan-failures queue', () => stack.digests.planFailures],
  ])('refuses every request to the %s that is not over TLS', (_name, queue) => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(queue())],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('DigestSender: the sender', () => {
  it('takes one batch per invocation, reports failed messages only, and runs at most SENDER_CONCURRENCY at once', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::EventSourceMapping',
      { EventSourceArn: arnOf(stack.digests.queue) },
      1,
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.digests.queue),
      FunctionName: ref(stack.digests.sender),
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: SENDER_CONCURRENCY },
    });
    expect(SENDER_CONCURRENCY).toBeGreaterThanOrEqual(2);
  });

  it('has 5 minutes and 1 GB, and no reserved concurrency', () => {
    expect(propertiesOf(stack.digests.sender)).toMatchObject({ Timeout: 300, MemorySize: 1024 });
    expect(propertiesOf(stack.digests.sender).ReservedConcurrentExecutions).toBeUndefined();
  });

  it('is told the table, site, token key ARN, configuration set and its concurrency, but no secret value', () => {
    const variables = propertiesOf(stack.digests.sender).Environment.Variables;

    expect(variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      STATE_TABLE_NAME: ref(stack.state.table),
      SITE_CONFIG: JSON.stringify(siteConfig),
      TOKEN_SECRET_ARN: ref(stack.subscriptions.tokenKey),
      SES_CONFIGURATION_SET: ref(stack.feedback.configurationSet),
      SENDER_CONCURRENCY: String(SENDER_CONCURRENCY),
    });
    expect(JSON.stringify(variables)).not.toMatch(/resolve:secretsmanager|SecretString/);
  });

  it('may update digests, claim deliveries and read recipients, each by leading key, and nothing else of the table', () => {
    const dynamo = withPrefix(roleStatements(stack.digests.sender.role), 'dynamodb:');
    const table = arnOf(stack.state.table);

    expect(dynamo).toEqual([
      {
        Sid: 'DigestProgress',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: table,
        Condition: leadingKeys('DIGEST'),
      },
      {
        Sid: 'DeliveryClaims',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: table,
        Condition: leadingKeys('DELIV#*'),
      },
      {
        Sid: 'SubscriberRecordsReadOnly',
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: table,
        Condition: leadingKeys('SUB#*'),
      },
      {
        Sid: 'DigestBatchTallies',
        Effect: 'Allow',
        Action: ['dynamodb:PutItem', 'dynamodb:Query'],
        Resource: table,
        Condition: leadingKeys('BATCH#*'),
      },
      {
        Sid: 'SendingPause',
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: table,
        Condition: leadingKeys('SENDING'),
      },
    ]);
  });

  it('may send exactly as the confirmation sender does, and read the send quota in a policy of its own', () => {
    const sending = withPrefix(roleStatements(stack.subscriptions.confirmationSender.role), 'ses:');
    const quota = propertiesOf(stack.digests.sendQuotaPolicy);

    const ses = withPrefix(roleStatements(stack.digests.sender.role), 'ses:');

    expect(sending).toHaveLength(1);
    expect(ses).toEqual([
      ...sending,
      { Sid: 'ReadTheSendingRate', Effect: 'Allow', Action: 'ses:GetSendQuota', Resource: '*' },
    ]);
    expect(sending[0]?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'News@Notes.example' } });
    expect(quota.PolicyDocument.Statement).toEqual([
      { Sid: 'ReadTheSendingRate', Effect: 'Allow', Action: 'ses:GetSendQuota', Resource: '*' },
    ]);
    expect(quota.Roles).toEqual([ref(stack.digests.sender.role as IConstruct)]);
  });

  it('may read the token key and nothing else from Secrets Manager', () => {
    expect(withPrefix(roleStatements(stack.digests.sender.role), 'secretsmanager:')).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: ref(stack.subscriptions.tokenKey),
      },
    ]);
  });

  it('may consume the batch queue and no other queue, and send to none', () => {
    expect(withPrefix(roleStatements(stack.digests.sender.role), 'sqs:')).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        Resource: arnOf(stack.digests.queue),
      },
    ]);
  });
});

describe('DigestSender: IAM as a whole', () => {
  it('grants no wildcard action, and `*` resources only for ses:GetSendQuota', () => {
    const roles = [stack.digests.planner.role, stack.digests.sender.role, stack.digests.scheduleRole];
    const statements = roles.flatMap((role) => roleStatements(role));

    for (const statement of statements) {
      expect(actionsOf(statement).filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
      if (statement.Action !== 'ses:GetSendQuota') expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
    }
    expect(statements.filter((statement) => statement.Resource === '*')).toHaveLength(1);
  });
});
