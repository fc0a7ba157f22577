import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigError } from '../functions/core/errors.ts';
import type { MailConfig, SiteConfig } from '../functions/core/types.ts';
import { AccessLogBucket } from './constructs/access-log-bucket.ts';
import { ContentBucket } from './constructs/content-bucket.ts';
import { MailFeedback } from './constructs/mail-feedback.ts';
import { PublishFunction } from './constructs/publish-function.ts';
import { SiteDistribution } from './constructs/site-distribution.ts';
import { StateTable } from './constructs/state-table.ts';
import { SubscriptionApi } from './constructs/subscription-api.ts';

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
        '"from" must belong to an identity verified in SES in the region you deploy to.',
    );
  }
  return { ...siteConfig, mail };
};

/**
 * Markdown uploaded under `posts/` becomes feeds and pages under `site/`, served by CloudFront; readers subscribe
 * through the API under `/api/`, and SES bounces and complaints come back through the mail feedback topic.
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

  constructor(scope: Construct, id: string, props: PublisherStackProps) {
    super(scope, id, props);
    const siteConfig = requireMail(props.siteConfig);

    const accessLogs = new AccessLogBucket(this, 'AccessLogs');
    const content = new ContentBucket(this, 'Content', { accessLogs });
    const state = new StateTable(this, 'State');
    const publish = new PublishFunction(this, 'Publish', { contentBucket: content, stateTable: state, siteConfig });
    const feedback = new MailFeedback(this, 'MailFeedback', { stateTable: state });
    const subscriptions = new SubscriptionApi(this, 'Subscriptions', {
      stateTable: state,
      siteConfig,
      configurationSet: feedback.configurationSet,
    });
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

    new CfnOutput(this, 'ContentBucketName', {
      value: content.bucketName,
      description: 'Upload posts under posts/; the public site is written under site/',
    });
    new CfnOutput(this, 'SiteDomainName', { value: site.domainName, description: 'CloudFront domain of the site' });
    new CfnOutput(this, 'SiteUrl', { value: `https://${site.domainName}/`, description: 'Public URL of the site' });
    new CfnOutput(this, 'StateTableName', { value: state.tableName, description: 'Publisher state table' });
    new CfnOutput(this, 'ApiUrl', {
      value: `https://${site.domainName}/api/`,
      description: 'Subscription API (subscribe, confirm, unsubscribe), on the site origin',
    });
    new CfnOutput(this, 'ConfigurationSetName', {
      value: feedback.configurationSet.configurationSetName,
      description: 'SES configuration set every mail is sent with; its bounces and complaints reach the feedback topic',
    });
    new CfnOutput(this, 'FeedbackTopicArn', {
      value: feedback.topic.topicArn,
      description: 'SNS topic of SES bounces and complaints',
    });
  }
}
