import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NodeFunction } from './node-function.ts';
import { deadLetterStore } from './queues.ts';
import type { StateTable } from './state-table.ts';

/** SES puts an account under review at these rates (fractions of the mail it counts), so digests pause there. */
export const SES_REVIEW_THRESHOLDS = { bounceRate: 0.05, complaintRate: 0.001 } as const;

export interface AlarmsProps {
  /** The functions whose errors page someone, by a name that stays stable (it becomes the alarm's construct id). */
  functions: Record<string, IFunction>;
  /** Queues that hold what failed for good (dead-letter queues, on-failure destinations), by a stable name. */
  deadLetterQueues: Record<string, IQueue>;
  /** The configuration set every mail goes out with; named in the reputation alarms' descriptions. */
  configurationSetName: string;
  stateTable: StateTable;
}

/**
 * Someone is told when something fails, and digests stop before SES stops the account.
 *
 * Every alarm notifies `topic` (subscribe an address or a chat hook to it): each function's errors, each dead-letter
 * queue that holds a message, and the SES reputation rates. The two reputation alarms also notify `pauseTopic`, whose
 * only subscriber, the pause function, sets the pause flag in the state table; the digest sender hands its batches
 * back while the flag is set. Confirmation mail ignores the flag, so people can still subscribe. Nothing resumes by
 * itself: a person reads the reason, cleans the list and resumes from the CLI.
 *
 * The reputation alarms watch the account-level `AWS/SES` metrics (no dimensions), not the configuration set's: the
 * account's rates are the ones SES reviews and pauses on (and an account pause stops confirmation mail too), and they
 * count whatever else the account sends. The configuration set's own rates would only tell which mail caused it.
 *
 * The topics are not encrypted. Alarm notifications carry alarm names, metric values and thresholds, no subscriber
 * data; CloudWatch can publish to an encrypted topic only through a customer managed key whose policy lets
 * cloudwatch.amazonaws.com use it (the AWS managed key does not), which would cost a key for nothing secret.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly pauseTopic: Topic;
  readonly pauseFunction: NodeFunction;
  /** Where a pause that failed every retry waits (and raises an alarm). */
  readonly pauseFailures: Queue;
  /** Every alarm, by construct id. */
  readonly alarms: Record<string, Alarm> = {};

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);

    this.topic = this.alarmTopic('Topic', 'Newsletter alarms');
    this.pauseTopic = this.alarmTopic('PauseTopic', 'Newsletter SES reputation alarms (pause digests)');

    // SNS invokes the pause function asynchronously: a pause that failed every retry must not vanish.
    this.pauseFailures = deadLetterStore(
      this,
      'PauseFailures',
      'It is itself the dead-letter store of the pause function; its depth raises an alarm.',
    );
    this.pauseFunction = new NodeFunction(this, 'PauseDigests', {
      entry: 'functions/handlers/pause-digests.ts',
      description: 'Pauses digest sending when an SES reputation alarm fires',
      timeout: Duration.seconds(10),
      memorySize: 256,
      retryAttempts: 2,
      onFailure: new SqsDestination(this.pauseFailures),
    });
    props.stateTable.grantSendingPause(this.pauseFunction, ['dynamodb:GetItem', 'dynamodb:PutItem']);
    this.pauseTopic.addSubscription(new LambdaSubscription(this.pauseFunction));

    const notify = new SnsAction(this.topic);
    const pause = new SnsAction(this.pauseTopic);

    const functions = { ...props.functions, PauseDigests: this.pauseFunction };
    for (const [name, fn] of Object.entries(functions)) {
      this.alarm(`${name}Errors`, {
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
        threshold: 1,
        description: `${name} failed at least once in 5 minutes: read its log group.`,
        actions: [notify],
      });
    }
    for (const [name, queue] of Object.entries({ ...props.deadLetterQueues, PauseFailures: this.pauseFailures })) {
      this.alarm(`${name}DeadLetters`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: Stats.MAXIMUM,
        }),
        threshold: 1,
        description: `${name} holds messages that failed for good: read them, fix the cause, then redrive or delete them.`,
        actions: [notify],
      });
    }

    const resume = 'Digests are paused; once the list is cleaned, resume with `npm run cli -- digest resume`.';
    this.alarm('BounceRate', {
      metric: sesReputation('Reputation.BounceRate'),
      threshold: SES_REVIEW_THRESHOLDS.bounceRate,
      description:
        `SES account bounce rate reached ${SES_REVIEW_THRESHOLDS.bounceRate * 100}%, where SES puts the account ` +
        `under review (mail of configuration set ${props.configurationSetName} counts towards it). ${resume}`,
      actions: [notify, pause],
    });
    this.alarm('ComplaintRate', {
      metric: sesReputation('Reputation.ComplaintRate'),
      threshold: SES_REVIEW_THRESHOLDS.complaintRate,
      description:
        `SES account complaint rate reached ${SES_REVIEW_THRESHOLDS.complaintRate * 100}%, where SES puts the ` +
        `account under review (mail of configuration set ${props.configurationSetName} counts towards it). ${resume}`,
      actions: [notify, pause],
    });
  }

  /**
   * One datapoint at or over the threshold raises the alarm. Missing data is not breaching: a function that did not
   * run has no Errors datapoint, an empty queue may report none, and SES publishes no reputation rate before the
   * account's first bounce or complaint. OK is reported to the alarm topic only (the pause function ignores it).
   */
  private alarm(
    id: string,
    options: { metric: IMetric; threshold: number; description: string; actions: IAlarmAction[] },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(...options.actions);
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms[id] = alarm;
    return alarm;
  }

  /** A topic only this account's CloudWatch alarms publish to, over TLS only. */
  private alarmTopic(id: string, displayName: string): Topic {
    const topic = new Topic(this, id, { displayName, enforceSSL: true });
    const { account, partition, region } = Stack.of(this);
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names, metric values and thresholds, no subscriber data. CloudWatch can ' +
        'publish to an encrypted topic only with a customer managed key whose policy admits it (not alias/aws/sns), ' +
        'a cost for nothing secret. Publishing is limited to this account’s alarms and to TLS.',
    });
    return topic;
  }
}

/**
 * An account-level SES reputation rate (a fraction, 0..1). The highest value in 15 minutes: SES publishes the rates
 * as they change, and a pause should follow the first value over the line, not an average that hides it.
 */
const sesReputation = (metricName: string): Metric =>
  new Metric({ namespace: 'AWS/SES', metricName, statistic: Stats.MAXIMUM, period: Duration.minutes(15) });
