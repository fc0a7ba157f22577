/*
 * `npm run cli -- doctor` against fakes of SES v2 and DNS. These are legitimate fakes, not mocks of something a
 * stand-in could do: there is no local stand-in for an SES account's state (sandbox, DKIM verification, quota) or for
 * the public DNS of a domain. The fakes answer with the SDK's own response shapes (GetAccountCommandOutput,
 * GetEmailIdentityCommandOutput) and fail the way the SDK and node:dns do (error names and codes).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetAccountCommand,
  type GetAccountCommandOutput,
  GetEmailIdentityCommand,
  type GetEmailIdentityCommandOutput,
} from '@aws-sdk/client-sesv2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DoctorDeps, type DoctorDns, runDoctorCommand } from '../../functions/cli/doctor-command.ts';
import { runCli } from '../../functions/cli.ts';

const DOMAIN = 'doctor.example';
const TOKENS = ['tok1abc', 'tok2def', 'tok3ghi'];
const SITE = {
  title: 'Doctor Notes',
  baseUrl: `https://${DOMAIN}/`,
  timeZone: 'UTC',
  mail: { from: `news@${DOMAIN}`, postalAddress: '1 Clinic Street, Healthville' },
};

const metadata = { httpStatusCode: 200, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 };

const healthyAccount = (): GetAccountCommandOutput => ({
  $metadata: metadata,
  DedicatedIpAutoWarmupEnabled: false,
  EnforcementStatus: 'HEALTHY',
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 120 },
  SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
});

const healthyIdentity = (): GetEmailIdentityCommandOutput => ({
  $metadata: metadata,
  IdentityType: 'DOMAIN',
  FeedbackForwardingStatus: false,
  VerifiedForSendingStatus: true,
  DkimAttributes: { SigningEnabled: true, Status: 'SUCCESS', Tokens: [...TOKENS], SigningAttributesOrigin: 'AWS_SES' },
  MailFromAttributes: {
    MailFromDomain: `mail.${DOMAIN}`,
    MailFromDomainStatus: 'SUCCESS',
    BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
  },
  ConfigurationSetName: 'feedmail-mail',
});

interface World {
  account: GetAccountCommandOutput | Error;
  identity: GetEmailIdentityCommandOutput | undefined;
  txt: Record<string, string[][]>;
  cname: Record<string, string[]>;
  mx: Record<string, { exchange: string; priority: number }[]>;
  feedType: string;
}

const healthyWorld = (): World => ({
  account: healthyAccount(),
  identity: healthyIdentity(),
  txt: {
    [`mail.${DOMAIN}`]: [['v=spf1 include:amazonses.com ~all']],
    [`_dmarc.${DOMAIN}`]: [['v=DMARC1; p=quarantine; ', 'rua=mailto:dmarc@doctor.example']],
  },
  cname: Object.fromEntries(TOKENS.map((t) => [`${t}._domainkey.${DOMAIN}`, [`${t}.dkim.amazonses.com`]])),
  mx: { [`mail.${DOMAIN}`]: [{ exchange: 'feedback-smtp.eu-west-1.amazonses.com', priority: 10 }] },
  feedType: 'application/rss+xml; charset=utf-8',
});

const named = (name: string, message: string) => Object.assign(new Error(message), { name });
const dnsMiss = (name: string) => Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });

const depsFor = (world: World): DoctorDeps => {
  const dns: DoctorDns = {
    resolveTxt: async (name) => world.txt[name] ?? Promise.reject(dnsMiss(name)),
    resolveCname: async (name) => world.cname[name] ?? Promise.reject(dnsMiss(name)),
    resolveMx: async (name) => world.mx[name] ?? Promise.reject(dnsMiss(name)),
  };
  return {
    ses: {
      send: async (command) => {
        if (command instanceof GetAccountCommand) {
          if (world.account instanceof Error) throw world.account;
          return world.account;
        }
        if (command instanceof GetEmailIdentityCommand && command.input.EmailIdentity === DOMAIN && world.identity)
          return world.identity;
        throw named('NotFoundException', `Email identity ${command.input.EmailIdentity} does not exist.`);
      },
    },
    dns,
    fetch: async (url) =>
      new Response(null, {
        status: 200,
        headers: { 'content-type': url.endsWith('feed.xml') ? world.feedType : 'text/html; charset=utf-8' },
      }),
  };
};

let work: string;

const doctor = async (args: string[], world: World) => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  const code = await runDoctorCommand(args, io, work, depsFor(world));
  return { code, out: out.join('\n'), err: err.join('\n') };
};

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'feedmail-doctor-'));
  await writeFile(join(work, 'site.config.json'), JSON.stringify(SITE));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('doctor', () => {
  const cases: { name: string; change: (world: World) => void; code: number; expected: RegExp[] }[] = [
    {
      name: 'reports every check ok for a healthy stack',
      change: () => {},
      code: 0,
      expected: [
        /^ok {4}SES account: production access$/m,
        /^ok {4}SES quota: 120 of 50000 sent in the last 24 hours, at most 14\/s$/m,
        /^ok {4}SES identity doctor\.example: verified for sending$/m,
        /^ok {4}DKIM for doctor\.example: SUCCESS$/m,
        /^ok {4}MAIL FROM mail\.doctor\.example: SUCCESS$/m,
        /^ok {4}DNS: the 3 DKIM CNAMEs of doctor\.example point at SES$/m,
        /^ok {4}DNS: SPF of mail\.doctor\.example includes amazonses\.com$/m,
        /^ok {4}DNS: DMARC record at _dmarc\.doctor\.example$/m,
        /^ok {4}site: https:\/\/doctor\.example\/feed\.xml is application\/rss\+xml$/m,
        /, 0 warn, 0 fail$/m,
      ],
    },
    {
      name: 'warns in the sandbox and says how to leave it',
      change: (world) => {
        world.account = { ...healthyAccount(), ProductionAccessEnabled: false };
      },
      code: 0,
      expected: [/^warn {2}SES account: in the sandbox .*Request production access/m],
    },
    {
      name: 'fails while DKIM is pending and lists the three records to add',
      change: (world) => {
        const identity = healthyIdentity();
        world.identity = {
          ...identity,
          VerifiedForSendingStatus: false,
          DkimAttributes: { ...identity.DkimAttributes, Status: 'PENDING' },
        };
        world.cname = {};
      },
      code: 1,
      expected: [
        /^fail {2}SES identity doctor\.example: not verified for sending/m,
        /^fail {2}DKIM for doctor\.example: PENDING\. Add these CNAME records/m,
        /^ {8}tok1abc\._domainkey\.doctor\.example {2}CNAME {2}tok1abc\.dkim\.amazonses\.com$/m,
        /^ {8}tok2def\._domainkey\.doctor\.example {2}CNAME {2}tok2def\.dkim\.amazonses\.com$/m,
        /^ {8}tok3ghi\._domainkey\.doctor\.example {2}CNAME {2}tok3ghi\.dkim\.amazonses\.com$/m,
        /^fail {2}DNS: 3 of 3 DKIM CNAMEs of doctor\.example are missing/m,
      ],
    },
    {
      name: 'warns without a DMARC record and suggests one',
      change: (world) => {
        delete world.txt[`_dmarc.${DOMAIN}`];
      },
      code: 0,
      expected: [
        /^warn {2}DNS: no DMARC record at _dmarc\.doctor\.example/m,
        /^ {8}_dmarc\.doctor\.example {2}TXT {2}"v=DMARC1; p=none;/m,
      ],
    },
    {
      name: 'fails when the sending identity does not exist in the region',
      change: (world) => {
        world.identity = undefined;
      },
      code: 1,
      expected: [/^fail {2}SES identity: no identity for doctor\.example in this region/m],
    },
    {
      name: 'fails when the feed is not served as RSS',
      change: (world) => {
        world.feedType = 'binary/octet-stream';
      },
      code: 1,
      expected: [/^fail {2}site: https:\/\/doctor\.example\/feed\.xml is served as "binary\/octet-stream"/m],
    },
  ];

  for (const { name, change, code, expected } of cases) {
    it(name, async () => {
      // Prepare
      const world = healthyWorld();
      change(world);

      // Act
      const result = await doctor([], world);

      // Assess
      expect(result.code).toBe(code);
      for (const pattern of expected) expect(result.out).toMatch(pattern);
    });
  }

  it('lists what it would check when there are no credentials, and exits 0', async () => {
    // Prepare
    const world = healthyWorld();
    world.account = named('CredentialsProviderError', 'Could not load credentials from any providers');

    // Act
    const result = await doctor([], world);

    // Assess
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^doctor would check:$/m);
    expect(result.out).toMatch(/^ {2}- SES identity doctor\.example: verified for sending, DKIM status SUCCESS/m);
    expect(result.out).toMatch(/^ {2}- DNS: DMARC TXT at _dmarc\.doctor\.example/m);
    expect(result.out).toMatch(/No credentials, so nothing was checked\. Configure AWS credentials/);
    expect(result.out).not.toMatch(/^(ok|warn|fail) /m);
    expect(result.err).toBe('');
  });

  it('checks nothing with --offline', async () => {
    // Prepare
    const world = healthyWorld();
    let calls = 0;
    const deps = depsFor(world);
    const io = { out: () => {}, err: () => {} };

    // Act
    const code = await runDoctorCommand(['--offline'], io, work, {
      ...deps,
      ses: {
        send: async () => {
          calls++;
          return {};
        },
      },
    });

    // Assess
    expect(code).toBe(0);
    expect(calls).toBe(0);
  });

  it.each([
    { args: ['--bogus'], message: /Unknown option '--bogus'/ },
    { args: ['extra'], message: /unexpected argument\(s\): extra/ },
    { args: ['--region'], message: /--region/ },
  ])('exits 2 with the usage on $args', async ({ args, message }) => {
    // Act
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['doctor', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) }, work);

    // Assess
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(message);
    expect(err.join('\n')).toContain('Usage: npm run cli -- doctor');
  });

  it('exits 2 when the site settings cannot be read', async () => {
    // Act
    const result = await doctor(['--config', 'missing.json'], healthyWorld());

    // Assess
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/cannot read the site settings/);
  });
});
