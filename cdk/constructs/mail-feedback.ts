import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { ConfigurationSet, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NodeFunction } from './node-function.ts';
import { deadLetterStore } from './queues.ts';
import type { StateTable } from './state-table.ts';

export interface MailFeedbackProps {
  stateTable: StateTable;
}

/**
 * Bounces and complaints: every mail goes out with this construct's configuration set, whose event destination
 * publishes BOUNCE and COMPLAINT events to a topic; the feedback function reads them and marks subscribers
 * (functions/handlers/ses-notification.ts parses them).
 *
 * The topic is encrypted with a key of its own. The notifications carry subscribers' addresses and the headers of
 * the mail, and SNS keeps an undelivered message for days of retries. The AWS managed key (alias/aws/sns) would not
 * do: its key policy cannot be changed, and SES can publish to an encrypted topic only if the key policy lets
 * ses.amazonaws.com generate data keys (SNS developer guide, "compatibility between event sources from AWS services
 * and encrypted topics"). The key costs a dollar a month.
 *
 * Whatever cannot be handled lands in one `Failures` queue, kept 14 days: messages SNS could not deliver to the
 * function (the subscription's dead-letter queue) and events the function failed on three times (its on-failure
 * destination). A bounce is never silently dropped, so a dead address is never mailed again by mistake.
 */
export class MailFeedback extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly topic: Topic;
  readonly topicKey: Key;
  readonly handler: NodeFunction;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: MailFeedbackProps) {
    super(scope, id);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      // SES itself refuses addresses that hard-bounced or complained, whatever the account-level setting says; the
      // refusal still comes back as a bounce (OnAccountSuppressionList) and marks the subscriber here.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    this.topicKey = new Key(this, 'TopicKey', {
      description: 'Encrypts the SES bounce and complaint notifications on the mail feedback topic',
      enableKeyRotation: true,
      // It protects messages in flight only; nothing stored depends on it once the topic is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // SES publishes, so SES needs the key; only through SNS. The topic policy CDK adds for the event destination
    // limits publishing to this account's configuration set (aws:SourceAccount, aws:SourceArn), and no other topic
    // uses this key, so the grant reaches nothing else.
    this.topicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'LetSesPublishToTheEncryptedTopic',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.${Stack.of(this).urlSuffix}` } },
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: 'Newsletter bounces and complaints',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.topic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    this.failures = deadLetterStore(
      this,
      'Failures',
      'This queue is itself the dead-letter store: of the SNS subscription and of the feedback function. A DLQ ' +
        'for it would only move the same failed notifications one queue further.',
    );

    this.handler = new NodeFunction(this, 'Handler', {
      entry: 'functions/handlers/ses-feedback.ts',
      description: 'Marks subscribers after SES bounces and complaints',
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.failures),
    });
    props.stateTable.grantSubscriberAccess(this.handler);
    this.topic.addSubscription(new LambdaSubscription(this.handler, { deadLetterQueue: this.failures }));
  }
}
