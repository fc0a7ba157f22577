import { Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Alarms } from '../../cdk/constructs/alarms.ts';
import { NodeFunction } from '../../cdk/constructs/node-function.ts';
import { StateTable } from '../../cdk/constructs/state-table.ts';
import { addCdkNag, createTestApp, logicalId, readTemplate, ref } from '../support/stack-template.ts';

// The Alarms construct in a stack of its own, with two stand-in functions and one dead-letter queue, synthesised once
// with the feature flags of cdk.json and cdk-nag on; bundling is skipped (see tests/support/stack-template.ts).
let stack: Stack;
let alarms: Alarms;
let state: StateTable;
let functions: { Publish: NodeFunction; Sender: NodeFunction };
let failures: Queue;
let template: Template;

const { propertiesOf } = readTemplate(() => template);
const alarmProps = (id: string): Record<string, unknown> => propertiesOf(alarms.alarms[id]);

beforeAll(() => {
  const app = createTestApp();
  stack = new Stack(app, 'Test');
  state = new StateTable(stack, 'State');
  functions = {
    Publish: new NodeFunction(stack, 'Publish', { entry: 'functions/handlers/publish-post.ts' }),
    Sender: new NodeFunction(stack, 'Sender', { entry: 'functions/handlers/send-digest.ts' }),
  };
  failures = new Queue(stack, 'Failures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
  Validations.of(failures).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'A dead-letter queue of the test.' });
  alarms = new Alarms(stack, 'Alarms', {
    functions,
    deadLetterQueues: { DigestFailures: failures },
    configurationSetName: 'feedmail-test',
    stateTable: state,
  });
  addCdkNag(app);
  // Throws when cdk-nag reports any finding that is not acknowledged.
  template = Template.fromStack(stack);
});

describe('Alarms', () => {
  it('has no unacknowledged cdk-nag finding, error or warning', () => {
    const annotations = Annotations.fromStack(stack);

    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('keeps a pause that failed every retry in a queue of its own', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('acknowledges only the unencrypted topics and the pause failure queue, each with a reason', () => {
    const acknowledged = alarms.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    expect(acknowledged.map(([id]) => id).sort()).toEqual([
      'Annotation::AwsSolutions-SNS2',
      'Annotation::AwsSolutions-SNS2',
      'Annotation::AwsSolutions-SQS3',
    ]);
    for (const [id, reason] of acknowledged) {
      expect(reason).toMatch(id.endsWith('SQS3') ? /itself the dead-letter store/ : /no subscriber data/);
    }
  });

  it('creates one alarm per function and per dead-letter queue (the pause function and its own included), per SES rate', () => {
    expect(Object.keys(alarms.alarms).sort()).toEqual([
      'BounceRate',
      'ComplaintRate',
      'DigestFailuresDeadLetters',
      'PauseDigestsErrors',
      'PauseFailuresDeadLetters',
      'PublishErrors',
      'SenderErrors',
    ]);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
  });

  it.each(['Publish', 'Sender'] as const)('alarms on one error of %s in 5 minutes', (name) => {
    expect(alarmProps(`${name}Errors`)).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref(functions[name]) }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [ref(alarms.topic)],
      OKActions: [ref(alarms.topic)],
    });
  });

  it('alarms as soon as a dead-letter queue holds one message', () => {
    expect(alarmProps('DigestFailuresDeadLetters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(failures), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      AlarmActions: [ref(alarms.topic)],
    });
  });

  it.each([
    ['BounceRate', 'Reputation.BounceRate', 0.05],
    ['ComplaintRate', 'Reputation.ComplaintRate', 0.001],
  ])('alarms on the account %s at the SES review threshold and notifies both topics', (id, metricName, threshold) => {
    const props = alarmProps(id);

    expect(props).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: metricName,
      Statistic: 'Maximum',
      Period: 900,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [ref(alarms.topic), ref(alarms.pauseTopic)],
      OKActions: [ref(alarms.topic)],
    });
    // Account level: no configuration set dimension.
    expect(props.Dimensions).toBeUndefined();
    expect(props.AlarmDescription).toMatch(/feedmail-test.*npm run cli -- digest resume/);
  });

  it('lets no other alarm reach the pause topic', () => {
    const pausing = Object.entries(alarms.alarms)
      .filter(([id]) => JSON.stringify(alarmProps(id).AlarmActions).includes(logicalId(alarms.pauseTopic)))
      .map(([id]) => id);

    expect(pausing.sort()).toEqual(['BounceRate', 'ComplaintRate']);
  });

  it.each(['topic', 'pauseTopic'] as const)('lets only TLS and this account’s alarms publish to the %s', (which) => {
    const topic = alarms[which];

    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [ref(topic)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Sid: 'CloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Resource: ref(topic),
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  it('subscribes only the pause function to the pause topic', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription'));

    expect(subscriptions).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          Protocol: 'lambda',
          TopicArn: ref(alarms.pauseTopic),
          Endpoint: { 'Fn::GetAtt': [logicalId(alarms.pauseFunction), 'Arn'] },
        }),
      }),
    ]);
  });

  it('lets the pause function read and write the SENDING partition only, and tells it the table', () => {
    const role = alarms.pauseFunction.role as IConstruct;
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [ref(role)] } }),
    ).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    const dynamo = statements.filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:'));

    expect(dynamo).toEqual([
      {
        Sid: 'SendingPause',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [logicalId(state.table), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SENDING'] } },
      },
    ]);
    const variables = template.toJSON().Resources[logicalId(alarms.pauseFunction)].Properties.Environment.Variables;
    expect(variables.STATE_TABLE_NAME).toEqual(ref(state.table));
  });
});
