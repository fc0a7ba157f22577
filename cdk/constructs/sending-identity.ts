import { Stack } from 'aws-cdk-lib';
import {
  DkimIdentity,
  type DkimRecord,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  type IConfigurationSet,
  Identity,
  MailFromBehaviorOnMxFailure,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { MailConfig } from '../../functions/core/types.ts';

/** One DNS record the domain's owner adds by hand (the stack manages no DNS zone). */
export interface DnsRecord {
  /** Short PascalCase label, unique in the list (`Dkim1`, `MailFromMx`, `Dmarc`...): a stack output id. */
  label: string;
  /** Fully qualified name, without the trailing dot. */
  name: string;
  type: 'CNAME' | 'MX' | 'TXT';
  /** The record data: a host name (CNAME, MX) or the text (TXT), unquoted. */
  value: string;
  /** MX only. */
  priority?: number;
  /** What the record is for, for the person adding it. */
  purpose: string;
}

export interface DnsRecordsInput {
  /** The sending domain, lower case: the part of the sender address after `@`. */
  domain: string;
  /** The sender address; DMARC aggregate reports go there. */
  fromAddress: string;
  /** Region of the SES identity (a token at synth in an environment-agnostic stack). */
  region: string;
  /** The three Easy DKIM CNAMEs (`EmailIdentity.dkimRecords`). */
  dkim: readonly DkimRecord[];
  /** The custom MAIL FROM domain, if any. */
  mailFromDomain?: string;
}

/** SPF of the MAIL FROM domain: SES sends the bounce-path (envelope sender) mail from amazonses.com hosts. */
export const MAIL_FROM_SPF = 'v=spf1 include:amazonses.com ~all';

/**
 * The records that make mail from `domain` pass SPF, DKIM and DMARC (Gmail and Yahoo require all three of bulk
 * senders). The DMARC policy starts at `p=none`, which only reports: once the aggregate reports show every
 * legitimate source passing, raise it to `p=quarantine` (then `p=reject`).
 * @example dnsRecordsFor({ domain: 'example.org', fromAddress: 'news@example.org', region: 'eu-west-1', dkim: [] })
 *   // [{ name: '_dmarc.example.org', type: 'TXT', value: 'v=DMARC1; p=none; rua=mailto:news@example.org', ... }]
 */
export const dnsRecordsFor = (input: DnsRecordsInput): DnsRecord[] => [
  ...input.dkim.map(
    (record, index): DnsRecord => ({
      label: `Dkim${index + 1}`,
      name: record.name,
      type: 'CNAME',
      value: record.value,
      purpose: `Easy DKIM key ${index + 1} of ${input.dkim.length}: verifies the domain in SES and signs its mail`,
    }),
  ),
  ...(input.mailFromDomain === undefined
    ? []
    : [
        {
          label: 'MailFromMx',
          name: input.mailFromDomain,
          type: 'MX',
          value: `feedback-smtp.${input.region}.amazonses.com`,
          priority: 10,
          purpose: 'Custom MAIL FROM: bounces to the envelope sender reach SES',
        } satisfies DnsRecord,
        {
          label: 'MailFromSpf',
          name: input.mailFromDomain,
          type: 'TXT',
          value: MAIL_FROM_SPF,
          purpose: 'SPF of the MAIL FROM domain, which is a subdomain of the sender, so SPF aligns for DMARC',
        } satisfies DnsRecord,
      ]),
  {
    label: 'Dmarc',
    name: `_dmarc.${input.domain}`,
    type: 'TXT',
    value: `v=DMARC1; p=none; rua=mailto:${input.fromAddress}`,
    purpose:
      'Suggested DMARC policy: p=none only reports; change to p=quarantine once the reports show all mail passing. ' +
      'Keep an existing DMARC record if the domain has one',
  },
];

/**
 * A record as a zone-file line, e.g. `bounce.example.org. 1800 IN MX 10 feedback-smtp.eu-west-1.amazonses.com.`.
 * Works on tokens too: the result is then a token that CloudFormation joins at deploy time.
 */
export const formatDnsRecord = (record: DnsRecord): string => {
  const data =
    record.type === 'TXT'
      ? `"${record.value}"`
      : `${record.priority === undefined ? '' : `${record.priority} `}${record.value}.`;
  return `${record.name}. 1800 IN ${record.type} ${data}`;
};

/** The part of an address after the last `@`, lower case (SES and IAM keep domain identities in lower case). */
export const sendingDomainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

export interface SendingIdentityProps {
  /** The sender; its domain becomes the SES identity. */
  mail: Pick<MailConfig, 'from'>;
  /** Every mail from the identity goes out with this set unless the sender names another (mail feedback's set). */
  configurationSet: IConfigurationSet;
  /**
   * Label of the custom MAIL FROM subdomain (`bounce` gives `bounce.<domain>`), or `false` to keep amazonses.com as
   * the envelope sender, in which case SPF does not align and DMARC rests on DKIM alone.
   * @default 'bounce'
   */
  mailFromSubdomain?: string | false;
}

/**
 * The SES domain identity mail is sent from: Easy DKIM with 2048-bit keys, the mail feedback configuration set as the
 * default, and a custom MAIL FROM subdomain so SPF aligns with the sender's domain. The stack does not manage the
 * domain's DNS: `dnsRecords` lists what to add by hand; SES verifies the domain once the DKIM CNAMEs resolve.
 */
export class SendingIdentity extends Construct {
  readonly identity: EmailIdentity;
  readonly domain: string;
  readonly mailFromDomain: string | undefined;
  /** The records to add to the domain's DNS; DKIM names and values are tokens until deploy. */
  readonly dnsRecords: DnsRecord[];

  constructor(scope: Construct, id: string, props: SendingIdentityProps) {
    super(scope, id);
    this.domain = sendingDomainOf(props.mail.from);
    const subdomain = props.mailFromSubdomain ?? 'bounce';
    this.mailFromDomain = subdomain === false ? undefined : `${subdomain}.${this.domain}`;

    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(this.domain),
      dkimSigning: true,
      dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
      configurationSet: props.configurationSet,
      // Feedback forwarding stays on: SES lets it be turned off only when identity-level SNS notifications exist,
      // and the configuration set's event destination does not count as those.
      ...(this.mailFromDomain === undefined
        ? {}
        : {
            mailFromDomain: this.mailFromDomain,
            // Until the MX record exists, send with amazonses.com as MAIL FROM rather than refuse to send.
            mailFromBehaviorOnMxFailure: MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
          }),
    });

    this.dnsRecords = dnsRecordsFor({
      domain: this.domain,
      fromAddress: props.mail.from,
      region: Stack.of(this).region,
      dkim: this.identity.dkimRecords,
      ...(this.mailFromDomain === undefined ? {} : { mailFromDomain: this.mailFromDomain }),
    });
  }
}
