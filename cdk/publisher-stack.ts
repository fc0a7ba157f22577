import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigError } from '../functions/core/errors.ts';
import type { MailConfig, SiteConfig } from '../functions/core/types.ts';
import { AccessLogBucket } from './constructs/access-log-bucket.ts';
import { Alarms } from './constructs/alarms.ts';
import { ContentBucket } from './constructs/content-bucket.ts';
import { DIGEST_MAX_RECEIVE_COUNT, DigestSender } from './constructs/digest-sender.ts';
import { MailFeedback } from './constructs/mail-feedback.ts';
import { PublishFunction } from './constructs/publish-function.ts';
import { formatDnsRecord, SendingIdentity } from './constructs/sending-identity.ts';
import { SiteDistribution } from './constructs/site-distribution.ts';
import { StateTable } from './constructs/state-table.ts';
import { CONFIRMATION_MAX_RECEIVE_COUNT, SubscriptionApi } from './constructs/subscription-api.ts';

export interface PublisherStackProps extends StackProps {
  /** Validated site settings (parseSiteConfig); the stack reads no files, context or environment itself. */
  siteConfig: SiteConfig;
}

/** The stack sends mail (confirmations, digests), so it cannot be built without knowing who sends it. */
const requireMail = (siteConfig: SiteConfig): SiteConfig & { mail: MailConfig } => {
  const { mail } = siteConfig;
  if (mail === undefined) {
    throw new ConfigError(
      'The site config has no "mail" section, which the stack needs to send confirmation mail. Add ' +
        '"mail": { "from": "news@your-domain", "fromName": "...", "postalAddress": "..." } to site.config.json; ' +
        'the stack creates the SES identity of its domain and outputs the DNS records that verify it.',
    );
  }
  return { ...siteConfig, mail };
};

/**
 * Markdown uploaded under `posts/` becomes feeds and pages under `site/`, served by CloudFront; readers subscribe
 * through the API under `/api/`, new posts reach them in digests on the configured schedule, and SES bounces and
 * complaints come back through the mail feedback topic.
 *
 * The construct ids below name stateful resources (bucket, table, logs): never rename them once deployed.
 */
export class PublisherStack extends Stack {
  readonly accessLogs: AccessLogBucket;
  readonly content: ContentBucket;
  readonly state: StateTable;
  readonly site: SiteDistribution;
  readonly publish: PublishFunction;
  readonly feedback: MailFeedback;
  readonly subscriptions: SubscriptionApi;
  readonly digests: DigestSender;
  readonly alarms: Alarms;
  readonly sending: SendingIdentity;

  constructor(scope: Construct, id: string, props: PublisherStackProps) {
    super(scope, id, props);
    const siteConfig = requireMail(props.siteConfig);

    const accessLogs = new AccessLogBucket(this, 'AccessLogs');
    const content = new ContentBucket(this, 'Content', { accessLogs });
    const state = new StateTable(this, 'State');
    const publish = new PublishFunction(this, 'Publish', { contentBucket: content, stateTable: state, siteConfig });
    const feedback = new MailFeedback(this, 'MailFeedback', { stateTable: state });
    const sending = new SendingIdentity(this, 'Sending', {
      mail: siteConfig.mail,
      configurationSet: feedback.configurationSet,
    });
    const subscriptions = new SubscriptionApi(this, 'Subscriptions', {
      stateTable: state,
      siteConfig,
      configurationSet: feedback.configurationSet,
    });
    const digests = new DigestSender(this, 'Digests', {
      stateTable: state,
      siteConfig,
      configurationSet: feedback.configurationSet,
      tokenKey: subscriptions.tokenKey,
    });
    const alarms = new Alarms(this, 'Alarms', {
      functions: {
        Publish: publish.handler,
        PublishDue: publish.dueHandler,
        Subscriptions: subscriptions.handler,
        ConfirmationSender: subscriptions.confirmationSender,
        MailFeedback: feedback.handler,
        DigestPlanner: digests.planner,
        DigestSender: digests.sender,
      },
      deadLetterQueues: {
        PublishFailures: publish.failures,
        MailFeedbackFailures: feedback.failures,
        SubscribeRequests: subscriptions.requestsDeadLetters,
        DigestBatches: digests.deadLetterQueue,
        DigestPlanFailures: digests.planFailures,
      },
      configurationSetName: feedback.configurationSet.configurationSetName,
      stateTable: state,
    });
    // The planner and the sender read the reputation switch before planning and before each batch.
    state.grantSendingPause(digests.planner, ['dynamodb:GetItem']);
    state.grantSendingPause(digests.sender, ['dynamodb:GetItem']);
    const site = new SiteDistribution(this, 'Site', {
      content,
      accessLogs,
      site: siteConfig,
      apiOriginDomainName: subscriptions.originDomainName,
    });
    this.accessLogs = accessLogs;
    this.content = content;
    this.state = state;
    this.site = site;
    this.publish = publish;
    this.feedback = feedback;
    this.subscriptions = subscriptions;
    this.digests = digests;
    this.alarms = alarms;
    this.sending = sending;

    new CfnOutput(this, 'ContentBucketName', {
      value: content.bucketName,
      description: 'Upload posts under posts/; the public site is written under site/',
    });
    new CfnOutput(this, 'SiteDomainName', { value: site.domainName, description: 'CloudFront domain of the site' });
    const publicUrl = siteConfig.domain ? siteConfig.baseUrl : `https://${site.domainName}/`;
    new CfnOutput(this, 'SiteUrl', { value: publicUrl, description: 'Public URL of the site' });
    new CfnOutput(this, 'StateTableName', { value: state.tableName, description: 'Publisher state table' });
    new CfnOutput(this, 'ApiUrl', {
      value: `${publicUrl}api/`,
      description: 'Subscription API (subscribe, confirm, unsubscribe), on the site origin',
    });
    new CfnOutput(this, 'TokenSecretArn', {
      value: subscriptions.tokenKey.secretArn,
      description: 'Secret sealing confirmation and unsubscribe links: npm run cli -- tokens rotate --secret <this>',
    });
    new CfnOutput(this, 'ConfigurationSetName', {
      value: feedback.configurationSet.configurationSetName,
      description: 'SES configuration set every mail is sent with; its bounces and complaints reach the feedback topic',
    });
    new CfnOutput(this, 'FeedbackTopicArn', {
      value: feedback.topic.topicArn,
      description: 'SNS topic of SES bounces and complaints',
    });
    new CfnOutput(this, 'SendingDomain', {
      value: sending.domain,
      description: 'SES domain identity mail is sent from; verified once the DKIM records below resolve',
    });
    for (const record of sending.dnsRecords) {
      new CfnOutput(this, `Dns${record.label}`, { value: formatDnsRecord(record), description: record.purpose });
    }
    new CfnOutput(this, 'DnsRecords', {
      value: this.toJsonString(
        sending.dnsRecords.map(({ name, type, value, priority }) => ({
          name,
          type,
          value,
          ...(priority ? { priority } : {}),
        })),
      ),
      description: 'Every DNS record to add, as JSON [{ name, type, value, priority? }]',
    });
    if (siteConfig.domain) {
      new CfnOutput(this, 'DnsSite', {
        value: `${siteConfig.domain.name}. 300 IN CNAME ${site.domainName}.`,
        description: 'Points the site host name at CloudFront (at a zone apex use an ALIAS/ANAME record instead)',
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', {
      value: alarms.topic.topicArn,
      description: 'SNS topic of every alarm (function errors, dead letters, SES reputation): subscribe someone to it',
    });
    new CfnOutput(this, 'SubscribeRequestDeadLetterQueueUrl', {
      value: subscriptions.requestsDeadLetters.queueUrl,
      description:
        `Subscribe requests whose confirmation mail failed ${CONFIRMATION_MAX_RECEIVE_COUNT} times; redrive them to ` +
        'their queue once the cause is fixed',
    });
    new CfnOutput(this, 'DigestScheduleName', {
      value: digests.schedule.scheduleName,
      description: 'EventBridge Scheduler schedule (default group) that invokes the digest planner',
    });
    new CfnOutput(this, 'DigestQueueUrl', {
      value: digests.queue.queueUrl,
      description: 'Queue of digest recipient batches waiting to be mailed',
    });
    new CfnOutput(this, 'DigestDeadLetterQueueUrl', {
      value: digests.deadLetterQueue.queueUrl,
      description: `Digest recipient batches that failed ${DIGEST_MAX_RECEIVE_COUNT} times; redrive them to DigestQueueUrl once fixed`,
    });
    new CfnOutput(this, 'DigestPlanFailuresQueueUrl', {
      value: digests.planFailures.queueUrl,
      description: 'Digest planner invocations that failed every retry, with their scheduled time',
    });
  }
}
