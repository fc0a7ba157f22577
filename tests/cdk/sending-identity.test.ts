import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { describe, expect, it } from 'vitest';
import {
  dnsRecordsFor,
  formatDnsRecord,
  MAIL_FROM_SPF,
  SendingIdentity,
  type SendingIdentityProps,
} from '../../cdk/constructs/sending-identity.ts';
import { parseSiteConfig } from '../../functions/core/site-config.ts';
import { addCdkNag, cdkContext, synthesisePublisherStack } from '../support/stack-template.ts';

// The SES sending identity in a stack of its own (the stack wires it in separately), and the custom domain of the
// site distribution in a whole PublisherStack. cdk-nag is on: Template.fromStack throws on any finding.
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

const synthesiseIdentity = (props: Partial<SendingIdentityProps> = {}) => {
  const app = new App({ context: cdkContext });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const configurationSet = new ConfigurationSet(stack, 'ConfigurationSet');
  const sending = new SendingIdentity(stack, 'Sending', {
    mail: { from: 'News@Notes.Example' },
    configurationSet,
    ...props,
  });
  addCdkNag(app);
  return { stack, sending, configurationSet, template: Template.fromStack(stack) };
};

const dkim = [1, 2, 3].map((n) => ({ name: `key${n}._domainkey.notes.example`, value: `key${n}.dkim.amazonses.com` }));

describe('SendingIdentity: the SES identity', () => {
  it('verifies the lower-cased sender domain with 2048-bit Easy DKIM and the configuration set', () => {
    const { stack, configurationSet, template } = synthesiseIdentity();

    template.resourceCountIs('AWS::SES::EmailIdentity', 1);
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'notes.example',
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      ConfigurationSetAttributes: {
        ConfigurationSetName: stack.resolve(configurationSet.configurationSetName),
      },
      MailFromAttributes: { MailFromDomain: 'bounce.notes.example', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
    });
  });

  it('uses another MAIL FROM label, or none', () => {
    const { template: custom } = synthesiseIdentity({ mailFromSubdomain: 'mail' });
    const { template: none, sending } = synthesiseIdentity({ mailFromSubdomain: false });

    custom.hasResourceProperties('AWS::SES::EmailIdentity', {
      MailFromAttributes: { MailFromDomain: 'mail.notes.example' },
    });
    none.hasResourceProperties('AWS::SES::EmailIdentity', { MailFromAttributes: Match.absent() });
    expect(sending.dnsRecords.map((record) => record.type)).toEqual(['CNAME', 'CNAME', 'CNAME', 'TXT']);
  });

  it('has no cdk-nag finding, error or warning', () => {
    const { stack } = synthesiseIdentity();
    const annotations = Annotations.fromStack(stack);

    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('lists the DKIM records from the identity attributes, then MAIL FROM and DMARC', () => {
    const { stack, sending } = synthesiseIdentity();

    const resolved = stack.resolve(sending.dnsRecords) as { name: unknown; type: string; value: unknown }[];

    const logicalId = stack.resolve((sending.identity.node.defaultChild as CfnElement).logicalId);
    expect(resolved.slice(0, 3)).toEqual(
      [1, 2, 3].map((n) =>
        expect.objectContaining({
          type: 'CNAME',
          name: { 'Fn::GetAtt': [logicalId, `DkimDNSTokenName${n}`] },
          value: { 'Fn::GetAtt': [logicalId, `DkimDNSTokenValue${n}`] },
        }),
      ),
    );
    expect(resolved.slice(3)).toEqual([
      expect.objectContaining({
        name: 'bounce.notes.example',
        type: 'MX',
        value: 'feedback-smtp.eu-west-1.amazonses.com',
        priority: 10,
      }),
      expect.objectContaining({ name: 'bounce.notes.example', type: 'TXT', value: MAIL_FROM_SPF }),
      expect.objectContaining({
        name: '_dmarc.notes.example',
        type: 'TXT',
        value: 'v=DMARC1; p=none; rua=mailto:News@Notes.Example',
      }),
    ]);
  });
});

describe('dnsRecordsFor', () => {
  it('lists three DKIM CNAMEs, the MAIL FROM MX and SPF, and a reporting-only DMARC policy', () => {
    const records = dnsRecordsFor({
      domain: 'notes.example',
      fromAddress: 'news@notes.example',
      region: 'us-west-2',
      dkim,
      mailFromDomain: 'bounce.notes.example',
    });

    expect(records.map(({ name, type, value, priority }) => ({ name, type, value, priority }))).toEqual([
      { name: 'key1._domainkey.notes.example', type: 'CNAME', value: 'key1.dkim.amazonses.com', priority: undefined },
      { name: 'key2._domainkey.notes.example', type: 'CNAME', value: 'key2.dkim.amazonses.com', priority: undefined },
      { name: 'key3._domainkey.notes.example', type: 'CNAME', value: 'key3.dkim.amazonses.com', priority: undefined },
      { name: 'bounce.notes.example', type: 'MX', value: 'feedback-smtp.us-west-2.amazonses.com', priority: 10 },
      { name: 'bounce.notes.example', type: 'TXT', value: 'v=spf1 include:amazonses.com ~all', priority: undefined },
      { name: '_dmarc.notes.example', type: 'TXT', value: 'v=DMARC1; p=none; rua=mailto:news@notes.example' },
    ]);
    expect(records.at(-1)?.purpose).toMatch(/p=none only reports; change to p=quarantine/);
  });

  it('leaves out the MAIL FROM records without a MAIL FROM domain', () => {
    const records = dnsRecordsFor({ domain: 'notes.example', fromAddress: 'a@notes.example', region: 'x', dkim });

    expect(records.map((record) => record.type)).toEqual(['CNAME', 'CNAME', 'CNAME', 'TXT']);
  });

  it('formats records as zone-file lines', () => {
    const [cname, , , mx, spf] = dnsRecordsFor({
      domain: 'notes.example',
      fromAddress: 'news@notes.example',
      region: 'eu-west-1',
      dkim,
      mailFromDomain: 'bounce.notes.example',
    });

    expect([cname, mx, spf].map((record) => (record ? formatDnsRecord(record) : ''))).toEqual([
      'key1._domainkey.notes.example. 1800 IN CNAME key1.dkim.amazonses.com.',
      'bounce.notes.example. 1800 IN MX 10 feedback-smtp.eu-west-1.amazonses.com.',
      'bounce.notes.example. 1800 IN TXT "v=spf1 include:amazonses.com ~all"',
    ]);
  });
});

describe('SiteDistribution: custom domain', () => {
  const synthesiseSite = (domain?: { name: string; certificateArn: string }) =>
    synthesisePublisherStack(
      parseSiteConfig({
        title: 'Test Notes',
        baseUrl: domain ? `https://${domain.name}/` : 'https://notes.example/',
        ...(domain ? { domain } : {}),
        mail: { from: 'news@notes.example', postalAddress: '1 Test Street, Testville' },
      }),
    );

  it('answers on the domain with its us-east-1 certificate and TLS 1.2 at least', () => {
    const { template } = synthesiseSite({ name: 'news.notes.example', certificateArn: CERTIFICATE });

    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['news.notes.example'],
        ViewerCertificate: {
          AcmCertificateArn: CERTIFICATE,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
      }),
    });
  });

  it('has no cdk-nag finding or warning, and acknowledges no TLS finding, with a domain', () => {
    const { stack } = synthesiseSite({ name: 'news.notes.example', certificateArn: CERTIFICATE });
    const annotations = Annotations.fromStack(stack);
    const acknowledged = stack.site.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as Record<string, string>));

    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    expect(acknowledged.filter((id) => id.includes('CFR4'))).toEqual([]);
  });

  it('keeps the *.cloudfront.net name without a domain', () => {
    const { template } = synthesiseSite();

    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Aliases: Match.absent(), ViewerCertificate: Match.absent() }),
    });
  });
});
