import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { Effect, type IRole, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  ContextAttribute,
  type IScheduleTarget,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { ScheduleTargetBase, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DigestConfig, MailConfig, SiteConfig, Weekday } from '../../functions/core/types.ts';
import { NodeFunction } from './node-function.ts';
import { deadLetterStore, workQueue } from './queues.ts';
import type { StateTable } from './state-table.ts';
import { grantNewsletterSending } from './subscription-api.ts';

/**
 * Sender instances at most (the event source mapping's MaximumConcurrency; 2 is the least Lambda accepts). The
 * function gets it as SENDER_CONCURRENCY and divides the account's SES sending rate between its instances.
 */
export const SENDER_CONCURRENCY = 2;

/** Time one sender invocation has for one batch (up to 100 recipients at a few mails a second). */
export const SENDER_TIMEOUT = Duration.minutes(5);

/**
 * Lambda's advice for an SQS event source: a visibility timeout of at least six times the function timeout, so a batch
 * is not handed out again while Lambda still retries a throttled invocation of it.
 */
export const DIGEST_QUEUE_VISIBILITY = Duration.seconds(SENDER_TIMEOUT.toSeconds() * 6);

/**
 * Receives before a batch is set aside in the dead-letter queue. A batch also comes back when SES's 24-hour quota is
 * spent or SES keeps throttling; at one receive per visibility timeout (30 minutes), 50 receives wait out a day's
 * quota before a person has to look.
 */
export const DIGEST_MAX_RECEIVE_COUNT = 50;

/** How often the planner looks for new posts when every post is mailed on its own. */
export const IMMEDIATE_RATE = Duration.minutes(5);

/** Scheduler's retries of delivering an invocation (throttled, Lambda unavailable). */
const PLAN_DELIVERY_RETRIES = 3;
/** Lambda's retries of a planner run that failed (2 is its maximum for asynchronous invocations). */
const PLAN_RUN_RETRIES = 2;
/** Both give up on a slot after an hour: a digest planned later than that should be replayed by hand. */
const PLAN_MAX_EVENT_AGE = Duration.hours(1);

const CRON_WEEKDAYS: Readonly<Record<Weekday, string>> = {
  monday: 'MON',
  tuesday: 'TUE',
  wednesday: 'WED',
  thursday: 'THU',
  friday: 'FRI',
  saturday: 'SAT',
  sunday: 'SUN',
};

/**
 * When the planner runs: at `time` in `timeZone` every day or on `day`, or every few minutes for `immediate`.
 * @example digestScheduleExpression({ cadence: 'weekly', day: 'monday', time: '08:00', ... }).expressionString
 *   // 'cron(0 8 ? * MON *)', in the config's time zone
 */
export const digestScheduleExpression = (digest: DigestConfig): ScheduleExpression => {
  if (digest.cadence === 'immediate') return ScheduleExpression.rate(IMMEDIATE_RATE);
  const [hour = '0', minute = '0'] = digest.time.split(':');
  return ScheduleExpression.cron({
    minute: String(Number(minute)),
    hour: String(Number(hour)),
    ...(digest.cadence === 'weekly' ? { weekDay: CRON_WEEKDAYS[digest.day] } : {}),
    timeZone: TimeZone.of(digest.timeZone),
  });
};

/**
 * The planner's input. Scheduler puts the slot's time in (`<aws.scheduler.scheduled-time>`, e.g.
 * `2026-11-23T07:00:00Z`), the same for every retry and duplicate of one slot, so they all plan the same digest.
 */
export const PLAN_DIGEST_INPUT = { scheduledTime: ContextAttribute.scheduledTime } as const;

/**
 * A Lambda target whose role may invoke the unqualified function and nothing else. Scheduler's own LambdaInvoke
 * grants `<function>:*` as well (every version and alias), which the planner never needs.
 */
class InvokeFunctionOnly extends ScheduleTargetBase implements IScheduleTarget {
  private readonly fn: IFunction;

  constructor(fn: IFunction, props: ScheduleTargetBaseProps) {
    super(props, fn.functionArn);
    this.fn = fn;
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'InvokeThePlannerOnly',
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [this.fn.functionArn],
      }),
    );
  }
}

export interface DigestSenderProps {
  stateTable: StateTable;
  /** The validated site configuration (SITE_CONFIG); `digest` decides the schedule, `mail` who sends. */
  siteConfig: SiteConfig & { mail: MailConfig };
  /** The configuration set every mail is sent with (bounces and complaints come back through it). */
  configurationSet: IConfigurationSet;
  /** The secret that seals the unsubscribe links (SubscriptionApi.tokenKey). */
  tokenKey: Secret;
}

/**
 * Digests of new posts: a schedule invokes the planner, which decides what one digest carries and puts its
 * recipients on a queue in batches (up to 100 a message); the sender mails each batch through SES.
 *
 * - Planning is idempotent by the slot's scheduled time (PLAN_DIGEST_INPUT). Scheduler retries delivering the
 *   invocation, Lambda retries a failing run (Scheduler invokes asynchronously), and what still fails lands with its
 *   error in `PlanFailures` to be looked at and replayed.
 * - Sending is at-least-once per batch: one batch per invocation, only the failed messages of a batch come back
 *   (ReportBatchItemFailures), a batch received five times goes to the dead-letter queue, and the sender claims each
 *   delivery in the table so a redelivered batch mails nobody twice.
 * - At most SENDER_CONCURRENCY senders run at once, through the event source mapping's maximum concurrency rather
 *   than reserved concurrency: Lambda then stops polling instead of throttling invocations, so no message is
 *   received, throttled and counted towards the dead-letter queue, and no account concurrency is set aside.
 */
export class DigestSender extends Construct {
  readonly planner: NodeFunction;
  readonly sender: NodeFunction;
  readonly schedule: Schedule;
  /** The role Scheduler assumes to invoke the planner. */
  readonly scheduleRole: Role;
  /** Recipient batches waiting to be mailed. */
  readonly queue: Queue;
  /** Batches the sender failed on DIGEST_MAX_RECEIVE_COUNT times. */
  readonly deadLetterQueue: Queue;
  /** Planner invocations that Scheduler could not deliver or that failed every retry. */
  readonly planFailures: Queue;
  /** The sender's ses:GetSendQuota, the only `*` resource of the unit, kept apart from its other permissions. */
  readonly sendQuotaPolicy: Policy;

  constructor(scope: Construct, id: string, props: DigestSenderProps) {
    super(scope, id);
    const { siteConfig, stateTable } = props;
    const siteConfigJson = JSON.stringify(siteConfig);

    this.deadLetterQueue = deadLetterStore(
      this,
      'DeadLetters',
      'This queue is itself the dead-letter queue of the recipient batches; a DLQ for it would only move the ' +
        'same failed batches one queue further.',
    );
    this.queue = workQueue(this, 'Batches', {
      visibilityTimeout: DIGEST_QUEUE_VISIBILITY,
      deadLetters: this.deadLetterQueue,
      maxReceiveCount: DIGEST_MAX_RECEIVE_COUNT,
    });

    this.planFailures = deadLetterStore(
      this,
      'PlanFailures',
      'This queue is itself the dead-letter store: of the digest schedule target and of the planner function. A ' +
        'DLQ for it would only move the same failed invocations one queue further.',
    );

    this.planner = new NodeFunction(this, 'Planner', {
      entry: 'functions/handlers/plan-digest.ts',
      // MJML templates of the digest mail, read at run time.
      copyIntoBundle: { 'templates/mail': 'mail' },
      description: 'Plans a digest of new posts and queues its recipients in batches',
      // Lists every confirmed subscriber and queues them; a large list takes minutes, not seconds.
      timeout: Duration.minutes(10),
      environment: { SITE_CONFIG: siteConfigJson },
      retryAttempts: PLAN_RUN_RETRIES,
      maxEventAge: PLAN_MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.planFailures),
    });
    stateTable.grantDigestPlanning(this.planner);
    this.queue.grantSendMessages(this.planner);
    this.planner.addEnvironment('DIGEST_QUEUE_URL', this.queue.queueUrl);

    this.sender = new NodeFunction(this, 'Sender', {
      entry: 'functions/handlers/send-digest.ts',
      copyIntoBundle: { 'templates/mail': 'mail' },
      description: 'Mails one batch of digest recipients through SES',
      timeout: SENDER_TIMEOUT,
      // MIME composition of up to 100 personalised messages is CPU-bound; Lambda's CPU share grows with memory.
      memorySize: 1024,
      environment: {
        SITE_CONFIG: siteConfigJson,
        SENDER_CONCURRENCY: String(SENDER_CONCURRENCY),
      },
    });
    stateTable.grantDigestSending(this.sender);
    props.tokenKey.grantRead(this.sender);
    this.sender.addEnvironment('TOKEN_SECRET_ARN', props.tokenKey.secretArn);
    grantNewsletterSending(this.sender, siteConfig.mail, props.configurationSet);
    this.sender.addEnvironment('SES_CONFIGURATION_SET', props.configurationSet.configurationSetName);
    this.sendQuotaPolicy = this.grantReadingSendQuota(this.sender);
    this.sender.addEventSource(
      new SqsEventSource(this.queue, {
        // One message holds up to 100 recipients: one batch per invocation keeps a failure to one message.
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: SENDER_CONCURRENCY,
      }),
    );

    this.scheduleRole = new Role(this, 'ScheduleRole', {
      description: 'Lets EventBridge Scheduler invoke the digest planner',
      // Only schedules of this account's default group may assume it (confused deputy prevention).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Stack.of(this).account,
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: `Plans the ${siteConfig.digest.cadence} digest of new posts`,
      schedule: digestScheduleExpression(siteConfig.digest),
      // Exactly on time: the scheduled time identifies the digest, and readers expect it at the hour they were told.
      timeWindow: TimeWindow.off(),
      target: new InvokeFunctionOnly(this.planner, {
        role: this.scheduleRole,
        input: ScheduleTargetInput.fromObject(PLAN_DIGEST_INPUT),
        retryAttempts: PLAN_DELIVERY_RETRIES,
        maxEventAge: PLAN_MAX_EVENT_AGE,
        deadLetterQueue: this.planFailures,
      }),
    });
    // The role's policy must be in place before the first trigger (rate schedules fire minutes after creation).
    this.schedule.node.addDependency(this.scheduleRole);
  }

  /**
   * ses:GetSendQuota, in a policy of its own so that the acknowledgement of its `*` resource covers nothing else: the
   * sender reads the account's maximum send rate and divides it by SENDER_CONCURRENCY.
   */
  private grantReadingSendQuota(fn: NodeFunction): Policy {
    const role = fn.role;
    if (role === undefined) throw new Error('NodeFunction always has a role');
    const policy = new Policy(this, 'ReadSendQuota', {
      roles: [role],
      statements: [
        new PolicyStatement({
          sid: 'ReadTheSendingRate',
          effect: Effect.ALLOW,
          actions: ['ses:GetSendQuota'],
          resources: ['*'],
        }),
      ],
    });
    // The function must not start polling before it may read the quota.
    fn.node.addDependency(policy);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:GetSendQuota supports no resource-level permissions (it reads account-wide sending limits), so its ' +
        'resource must be *; this policy holds that one read-only action and nothing else.',
    });
    return policy;
  }
}
