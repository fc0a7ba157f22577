import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { SiteConfig } from '../functions/core/types.ts';
import { AccessLogBucket } from './constructs/access-log-bucket.ts';
import { ContentBucket } from './constructs/content-bucket.ts';
import { PublishFunction } from './constructs/publish-function.ts';
import { SiteDistribution } from './constructs/site-distribution.ts';
import { StateTable } from './constructs/state-table.ts';

export interface PublisherStackProps extends StackProps {
  /** Validated site settings (parseSiteConfig); the stack reads no files, context or environment itself. */
  siteConfig: SiteConfig;
}

/**
 * Markdown uploaded under `posts/` becomes feeds and pages under `site/`, served by CloudFront.
 *
 * The construct ids below name stateful resources (bucket, table, logs): never rename them once deployed.
 */
export class PublisherStack extends Stack {
  readonly accessLogs: AccessLogBucket;
  readonly content: ContentBucket;
  readonly state: StateTable;
  readonly site: SiteDistribution;
  readonly publish: PublishFunction;

  constructor(scope: Construct, id: string, props: PublisherStackProps) {
    super(scope, id, props);
    const { siteConfig } = props;

    const accessLogs = new AccessLogBucket(this, 'AccessLogs');
    const content = new ContentBucket(this, 'Content', { accessLogs });
    const state = new StateTable(this, 'State');
    const site = new SiteDistribution(this, 'Site', {
      content,
      accessLogs,
      site: siteConfig,
    });
    const publish = new PublishFunction(this, 'Publish', { contentBucket: content, stateTable: state, siteConfig });
    this.accessLogs = accessLogs;
    this.content = content;
    this.state = state;
    this.site = site;
    this.publish = publish;

    new CfnOutput(this, 'ContentBucketName', {
      value: content.bucketName,
      description: 'Upload posts under posts/; the public site is written under site/',
    });
    new CfnOutput(this, 'SiteDomainName', { value: site.domainName, description: 'CloudFront domain of the site' });
    new CfnOutput(this, 'SiteUrl', { value: `https://${site.domainName}/`, description: 'Public URL of the site' });
    new CfnOutput(this, 'StateTableName', { value: state.tableName, description: 'Publisher state table' });
  }
}
