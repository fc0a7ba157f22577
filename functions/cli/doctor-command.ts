/**
 * `npm run cli -- doctor`: checks what a deployed stack needs from the world outside it (the SES account and
 * sending identity, the domain's DNS, the site answering over https) and says, per check, what to do.
 * Without AWS credentials (or with --offline) it lists what it would check instead.
 */
import * as dns from 'node:dns/promises';
import { resolve } from 'node:path';
import {
  GetAccountCommand,
  type GetAccountCommandOutput,
  GetEmailIdentityCommand,
  type GetEmailIdentityCommandOutput,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { ConfigError, describeError } from '../core/errors.ts';
import type { SiteConfig } from '../core/types.ts';
import { parseCommandLine } from './parse-command.ts';
import { loadSite } from './posts-folder.ts';

export const DOCTOR_USAGE = `Usage: npm run cli -- doctor [options]

Checks the deployed stack's surroundings with your AWS credentials: the SES sending identity (verified, DKIM,
MAIL FROM), the SES account (sandbox or production, sending enabled, quota), the domain's DNS records (DKIM, SPF,
DMARC) and the site at baseUrl. Prints ok, warn or fail per check with what to do.
Exit status: 0 nothing failed, 1 some check failed, 2 usage or configuration error.

Options:
  --config <file>   Site settings (default site.config.json)
  --region <r>      AWS region of the stack (default: AWS_REGION or your AWS profile's region)
  --offline         Print what would be checked, and check nothing`;

export class DoctorUsageError extends Error {
  override name = 'DoctorUsageError';
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The SES v2 calls the doctor makes; an `SESv2Client` fits. */
export interface DoctorSes {
  send(command: GetAccountCommand | GetEmailIdentityCommand): Promise<object>;
}

/** The resolver calls the doctor makes; `node:dns/promises` fits. */
export interface DoctorDns {
  resolveTxt(name: string): Promise<string[][]>;
  resolveCname(name: string): Promise<string[]>;
  resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
}

export interface DoctorDeps {
  ses?: DoctorSes;
  dns?: DoctorDns;
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

type Status = 'ok' | 'warn' | 'fail';

interface Check {
  status: Status;
  /** What was found, then what to do about it. */
  text: string;
  /** Records to add, one per line. */
  details?: string[];
}

/** How long the site may take to answer a HEAD request. */
const HTTP_TIMEOUT_MS = 5000;

const OPTIONS = {
  config: { type: 'string' },
  region: { type: 'string' },
  offline: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * @example
 * await runDoctorCommand(['--region', 'eu-west-1'], { out: console.log, err: console.error }, process.cwd());
 */
export const runDoctorCommand = async (argv: string[], io: Io, cwd: string, deps: DoctorDeps = {}): Promise<number> => {
  const { values, positionals } = parseCommandLine(argv, OPTIONS, (message) => new DoctorUsageError(message));
  if (values.help) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new DoctorUsageError(`unexpected argument(s): ${positionals.join(' ')}`);
  let site: SiteConfig;
  try {
    site = await loadSite(resolve(cwd, values.config ?? 'site.config.json'), undefined);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 2;
  }
  const from = site.mail?.from;
  const domain = from?.slice(from.lastIndexOf('@') + 1).toLowerCase();
  if (values.offline) {
    printPlan(site, domain, io);
    io.out('\n--offline: nothing was checked.');
    return 0;
  }
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const ses = deps.ses ?? new SESv2Client(region ? { region } : {});
  const resolver = deps.dns ?? dns;
  const fetcher = deps.fetch ?? fetch;

  let account: GetAccountCommandOutput;
  try {
    account = (await ses.send(new GetAccountCommand({}))) as GetAccountCommandOutput;
  } catch (error) {
    const missing = whatIsMissing(error);
    if (!missing) throw error;
    printPlan(site, domain, io);
    io.out(`\nNo ${missing}, so nothing was checked. ${MISSING_ADVICE[missing]}`);
    return 0;
  }

  const checks: Check[] = [...checkAccount(account)];
  if (from && domain) {
    const identity = await findIdentity(ses, domain, from);
    checks.push(...checkIdentity(identity, domain, region));
    try {
      checks.push(...(await checkDns(resolver, domain, from, identity?.output, region)));
    } catch (error) {
      const reason = describeError(error);
      checks.push({
        status: 'fail',
        text: `DNS: lookups failed (${reason}). Check this machine's resolver and try again`,
      });
    }
  } else {
    checks.push({
      status: 'fail',
      text: 'mail: site.config.json has no mail.from. Add a "mail" section with the sender address, then deploy again',
    });
  }
  checks.push(...(await checkSite(fetcher, site.baseUrl)));

  for (const check of checks) {
    io.out(`${check.status.padEnd(4)}  ${check.text}`);
    for (const line of check.details ?? []) io.out(`        ${line}`);
  }
  const count = (status: Status) => checks.filter((check) => check.status === status).length;
  io.out(`\n${count('ok')} ok, ${count('warn')} warn, ${count('fail')} fail`);
  return count('fail') > 0 ? 1 : 0;
};

type Missing = 'credentials' | 'region';

const MISSING_ADVICE: Record<Missing, string> = {
  credentials: 'Configure AWS credentials (aws configure, aws sso login, or AWS_PROFILE) and run it again.',
  region: 'Pass --region <region> (the stack\u2019s region) or set AWS_REGION, and run it again.',
};

/** The SDK's errors for an environment that cannot call AWS at all, as opposed to a failing call. */
const whatIsMissing = (error: unknown): Missing | undefined => {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'CredentialsProviderError') return 'credentials';
  if (/region is missing/i.test(error.message)) return 'region';
  return undefined;
};

const printPlan = (site: SiteConfig, domain: string | undefined, io: Io): void => {
  const d = domain ?? '<the mail.from domain>';
  io.out('doctor would check:');
  for (const line of [
    'SES account: production access (not the sandbox), sending enabled, enforcement status, 24-hour quota and send rate',
    `SES identity ${d}: verified for sending, DKIM status SUCCESS, MAIL FROM domain status`,
    `DNS: the three DKIM CNAMEs <token>._domainkey.${d} -> <token>.dkim.amazonses.com`,
    `DNS: SPF TXT including amazonses.com on the MAIL FROM domain (or ${d}), and its MX to SES`,
    `DNS: DMARC TXT at _dmarc.${d} starting with v=DMARC1`,
    `site: ${site.baseUrl} answers over https, and ${new URL('feed.xml', site.baseUrl).href} is application/rss+xml`,
  ])
    io.out(`  - ${line}`);
};

const checkAccount = (account: GetAccountCommandOutput): Check[] => {
  const checks: Check[] = [];
  checks.push(
    account.ProductionAccessEnabled
      ? { status: 'ok', text: 'SES account: production access' }
      : {
          status: 'warn',
          text:
            'SES account: in the sandbox (mail goes only to verified addresses, 200 a day). Request production ' +
            'access in the SES console (Account dashboard > Request production access) or with ' +
            '`aws sesv2 put-account-details`: describe the double opt-in list, the one-click unsubscribe and the ' +
            'bounce and complaint handling',
        },
  );
  if (account.SendingEnabled === false) {
    checks.push({
      status: 'fail',
      text: 'SES account: sending is disabled for the account. Read the notice in the SES console and ask AWS support',
    });
  }
  const enforcement = account.EnforcementStatus;
  if (enforcement && enforcement !== 'HEALTHY') {
    checks.push({
      status: enforcement === 'SHUTDOWN' ? 'fail' : 'warn',
      text: `SES account: enforcement status ${enforcement}. Open the SES reputation dashboard, fix the bounce or complaint cause, and answer AWS's notice`,
    });
  }
  const quota = account.SendQuota;
  if (quota?.Max24HourSend !== undefined) {
    const sent = quota.SentLast24Hours ?? 0;
    const line = `SES quota: ${sent} of ${quota.Max24HourSend} sent in the last 24 hours, at most ${quota.MaxSendRate ?? '?'}/s`;
    checks.push(
      quota.Max24HourSend > 0 && sent >= quota.Max24HourSend * 0.9
        ? {
            status: 'warn',
            text: `${line}. Nearly spent: digests wait for the quota; ask for a higher quota in the SES console`,
          }
        : { status: 'ok', text: line },
    );
  }
  const reasons = account.SuppressionAttributes?.SuppressedReasons;
  if (reasons) {
    checks.push({
      status: 'ok',
      text: `SES account suppression list: ${reasons.length > 0 ? reasons.join(', ') : 'off'} (the stack keeps its own suppression records too)`,
    });
  }
  return checks;
};

interface FoundIdentity {
  name: string;
  output: GetEmailIdentityCommandOutput;
}

/** The domain identity if there is one, else the sender's address identity. */
const findIdentity = async (ses: DoctorSes, domain: string, from: string): Promise<FoundIdentity | undefined> => {
  for (const name of [domain, from]) {
    try {
      const output = (await ses.send(
        new GetEmailIdentityCommand({ EmailIdentity: name }),
      )) as GetEmailIdentityCommandOutput;
      return { name, output };
    } catch (error) {
      if (!(error instanceof Error && error.name === 'NotFoundException')) throw error;
    }
  }
  return undefined;
};

const dkimRecords = (domain: string, tokens: readonly string[]): string[] =>
  tokens.map((token) => `${token}._domainkey.${domain}  CNAME  ${token}.dkim.amazonses.com`);

const mailFromRecords = (mailFrom: string, region: string | undefined): string[] => [
  `${mailFrom}  MX 10  feedback-smtp.${region ?? '<region>'}.amazonses.com`,
  `${mailFrom}  TXT  "v=spf1 include:amazonses.com ~all"`,
];

const checkIdentity = (identity: FoundIdentity | undefined, domain: string, region: string | undefined): Check[] => {
  if (!identity) {
    return [
      {
        status: 'fail',
        text: `SES identity: no identity for ${domain} in this region. Deploy the stack to this region (or create it: aws sesv2 create-email-identity --email-identity ${domain})`,
      },
    ];
  }
  const { name, output } = identity;
  const checks: Check[] = [];
  if (name !== domain) {
    checks.push({
      status: 'warn',
      text: `SES identity: only the address ${name} is verified, not ${domain}; mail is DKIM-signed by amazonses.com, so DMARC cannot align. Verify the domain`,
    });
  }
  checks.push(
    output.VerifiedForSendingStatus
      ? { status: 'ok', text: `SES identity ${name}: verified for sending` }
      : {
          status: 'fail',
          text: `SES identity ${name}: not verified for sending. Add the DKIM records below and wait for SES to see them (up to 72 hours)`,
        },
  );
  const dkim = output.DkimAttributes;
  if (name === domain) {
    if (dkim?.Status === 'SUCCESS') {
      checks.push({ status: 'ok', text: `DKIM for ${domain}: SUCCESS` });
    } else {
      const tokens = dkim?.Tokens ?? [];
      checks.push({
        status: 'fail',
        text: `DKIM for ${domain}: ${dkim?.Status ?? 'not set up'}. Add these CNAME records at your DNS host (the stack output DnsRecords lists them too); SES checks them for up to 72 hours`,
        details: dkimRecords(domain, tokens),
      });
    }
  }
  const mailFrom = output.MailFromAttributes;
  if (!mailFrom?.MailFromDomain) {
    checks.push({
      status: 'warn',
      text: `MAIL FROM: the SES default (amazonses.com), so SPF does not align with ${domain}; DMARC relies on DKIM alone. Configure a MAIL FROM subdomain (the stack uses bounce.${domain})`,
    });
  } else if (mailFrom.MailFromDomainStatus === 'SUCCESS') {
    checks.push({ status: 'ok', text: `MAIL FROM ${mailFrom.MailFromDomain}: SUCCESS` });
  } else {
    checks.push({
      status: 'warn',
      text: `MAIL FROM ${mailFrom.MailFromDomain}: ${mailFrom.MailFromDomainStatus ?? 'unknown'}. Add these records; until SES sees them it sends from amazonses.com`,
      details: mailFromRecords(mailFrom.MailFromDomain, region),
    });
  }
  return checks;
};

/** Resolver answers for a name that has none (NXDOMAIN, no data) come back empty; other failures throw. */
const orEmpty = async <T>(lookup: Promise<T[]>): Promise<T[]> => {
  try {
    return await lookup;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'NXDOMAIN') return [];
    throw error;
  }
};

const bare = (host: string): string => host.toLowerCase().replace(/\.$/, '');

const checkDns = async (
  resolver: DoctorDns,
  domain: string,
  from: string,
  identity: GetEmailIdentityCommandOutput | undefined,
  region: string | undefined,
): Promise<Check[]> => {
  const checks: Check[] = [];
  const tokens = identity?.DkimAttributes?.Tokens ?? [];
  if (tokens.length > 0) {
    const missing: string[] = [];
    for (const token of tokens) {
      const answers = await orEmpty(resolver.resolveCname(`${token}._domainkey.${domain}`));
      if (!answers.some((answer) => bare(answer) === `${token}.dkim.amazonses.com`)) missing.push(token);
    }
    checks.push(
      missing.length === 0
        ? { status: 'ok', text: `DNS: the ${tokens.length} DKIM CNAMEs of ${domain} point at SES` }
        : {
            status: 'fail',
            text: `DNS: ${missing.length} of ${tokens.length} DKIM CNAMEs of ${domain} are missing or point elsewhere. Add them`,
            details: dkimRecords(domain, missing),
          },
    );
  }
  const mailFrom = identity?.MailFromAttributes?.MailFromDomain;
  const spfName = mailFrom ?? domain;
  const txt = (await orEmpty(resolver.resolveTxt(spfName))).map((chunks) => chunks.join(''));
  const spf = txt.find((record) => record.toLowerCase().startsWith('v=spf1'));
  if (spf?.includes('include:amazonses.com')) {
    checks.push({ status: 'ok', text: `DNS: SPF of ${spfName} includes amazonses.com` });
  } else {
    checks.push({
      status: mailFrom ? 'fail' : 'warn',
      text: spf
        ? `DNS: the SPF record of ${spfName} does not include amazonses.com. Add include:amazonses.com to it`
        : `DNS: no SPF record on ${spfName}. Add one`,
      details: spf ? [`${spfName}  TXT  "${spf}"`] : [`${spfName}  TXT  "v=spf1 include:amazonses.com ~all"`],
    });
  }
  if (mailFrom) {
    const mx = await orEmpty(resolver.resolveMx(mailFrom));
    checks.push(
      mx.some((record) => bare(record.exchange).endsWith('.amazonses.com'))
        ? { status: 'ok', text: `DNS: MX of ${mailFrom} points at SES` }
        : {
            status: 'fail',
            text: `DNS: no MX of ${mailFrom} points at SES, so bounces cannot come back. Add it`,
            details: [mailFromRecords(mailFrom, region)[0] as string],
          },
    );
  }
  const dmarc = (await orEmpty(resolver.resolveTxt(`_dmarc.${domain}`))).map((chunks) => chunks.join(''));
  checks.push(
    dmarc.some((record) => record.startsWith('v=DMARC1'))
      ? { status: 'ok', text: `DNS: DMARC record at _dmarc.${domain}` }
      : {
          status: 'warn',
          text: `DNS: no DMARC record at _dmarc.${domain}; Gmail and Yahoo require one of bulk senders. Add one (start with p=none, tighten once reports look clean)`,
          details: [`_dmarc.${domain}  TXT  "v=DMARC1; p=none; rua=mailto:${from}"`],
        },
  );
  return checks;
};

const checkSite = async (
  fetcher: (url: string, init: RequestInit) => Promise<Response>,
  baseUrl: string,
): Promise<Check[]> => {
  if (new URL(baseUrl).protocol !== 'https:') {
    return [
      {
        status: 'fail',
        text: `site: baseUrl ${baseUrl} is not https. Set baseUrl in site.config.json to the stack's SiteUrl (or your domain) and deploy again`,
      },
    ];
  }
  const head = (url: string) => fetcher(url, { method: 'HEAD', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  let home: Response;
  try {
    home = await head(baseUrl);
  } catch (error) {
    return [
      {
        status: 'fail',
        text: `site: ${baseUrl} does not answer (${describeError(error)}). Check the domain's CNAME/ALIAS points at the stack's SiteDomainName`,
      },
    ];
  }
  const checks: Check[] = [
    home.ok
      ? { status: 'ok', text: `site: ${baseUrl} answers ${home.status}` }
      : {
          status: 'warn',
          text: `site: ${baseUrl} answers ${home.status}. Publish a post (aws s3 cp post.md s3://<ContentBucketName>/posts/)`,
        },
  ];
  const feedUrl = new URL('feed.xml', baseUrl).href;
  try {
    const feed = await head(feedUrl);
    const type = feed.headers.get('content-type') ?? '';
    checks.push(
      !feed.ok
        ? {
            status: 'warn',
            text: `site: ${feedUrl} answers ${feed.status}. Publish a post; the feeds are written with the first one`,
          }
        : type.startsWith('application/rss+xml')
          ? { status: 'ok', text: `site: ${feedUrl} is application/rss+xml` }
          : {
              status: 'fail',
              text: `site: ${feedUrl} is served as "${type}", not application/rss+xml. Publish again so the feed is rewritten with its content type`,
            },
    );
  } catch (error) {
    checks.push({
      status: 'fail',
      text: `site: ${feedUrl} does not answer (${describeError(error)})`,
    });
  }
  return checks;
};
