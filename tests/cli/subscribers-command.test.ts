import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoSubscriberStore } from '../../functions/adapters/dynamo-subscriber-store.ts';
import type { SubscriberStore } from '../../functions/app/ports.ts';
import { runCli } from '../../functions/cli.ts';
import type { Subscriber } from '../../functions/core/subscribers/subscriber.ts';
import { writeLocalRun } from '../../functions/local/local-run-file.ts';
import {
  createStateTable,
  STAND_IN_CLIENT_SETTINGS,
  type StandIns,
  startStandIns,
} from '../../functions/local/stand-ins.ts';

/*
 * `npm run cli -- subscribers …` against a local run: the DynamoDB stand-in over HTTP, found through the
 * `.local/run.json` file `npm start` writes.
 */
let work: string;
let standIns: StandIns;
let store: SubscriberStore;

const run = async (args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await runCli(
    ['subscribers', ...args],
    { out: (line) => out.push(line), err: (line) => err.push(line), progress: (text) => progress.push(text) },
    work,
  );
  return { code, out: out.join('\n'), err: err.join('\n'), progress: progress.join('') };
};

const pointAt = (tableName: string) =>
  writeLocalRun(work, {
    pid: process.pid,
    siteUrl: 'http://localhost:0/',
    dynamoEndpoint: standIns.dynamoEndpoint,
    tableName,
    ...STAND_IN_CLIENT_SETTINGS,
    tokenKey: '00'.repeat(32),
  });

const everyone = async (s: SubscriberStore): Promise<Subscriber[]> => {
  const all: Subscriber[] = [];
  for await (const page of s.list()) all.push(...page);
  return all.sort((a, b) => a.key.localeCompare(b.key));
};

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'feedmail-subs-'));
  standIns = await startStandIns();
  store = createDynamoSubscriberStore({ tableName: standIns.tableName, client: standIns.dynamo });
  await pointAt(standIns.tableName);
});

afterEach(async () => {
  await standIns.close();
  await rm(work, { recursive: true, force: true });
});

const MAILCHIMP = [
  'Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,TAGS',
  'ada@example.org,Ada,Lovelace,2,2023-05-01 10:00:00,2023-05-01 10:05:00,""',
  'Bob@Example.org,Bob,,1,2023-06-01 10:00:00,2023-06-01 10:05:00,"a,b"',
  'not-an-address,Eve,,1,,,',
  'ada@example.org,Ada,Again,1,,,',
].join('\r\n');

describe('subscribers import', () => {
  it('imports as pending without --attest-consent, reporting bad and duplicate rows with their lines', async () => {
    await writeFile(join(work, 'audience.csv'), `\uFEFF${MAILCHIMP}`);

    const result = await run(['import', 'audience.csv']);

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/audience\.csv:4: error: .*not-an-address/);
    expect(result.err).toMatch(/audience\.csv:5: warning: .*line 2/);
    expect(result.out).toMatch(/2 rows read, 0 confirmed, 2 pending/);
    expect((await everyone(store)).map((s) => [s.address, s.status])).toEqual([
      ['ada@example.org', 'pending'],
      ['Bob@example.org', 'pending'],
    ]);
  });

  it('imports as confirmed with --attest-consent and draws progress', async () => {
    await writeFile(join(work, 'audience.csv'), MAILCHIMP);

    const result = await run(['import', 'audience.csv', '--attest-consent']);

    expect(result.out).toMatch(/2 confirmed/);
    expect(result.progress).toContain('100%');
    expect(await store.get('ada@example.org')).toMatchObject({
      status: 'confirmed',
      name: 'Ada Lovelace',
      confirmedVia: 'import-attested',
      subscribedVia: 'import:audience.csv',
    });
  });

  it('skips and counts addresses that unsubscribed or were suppressed here', async () => {
    await store.save({
      key: 'ada@example.org',
      address: 'ada@example.org',
      status: 'unsubscribed',
      subscribedAt: '2026-01-01T00:00:00.000Z',
      subscribedVia: 'form',
      unsubscribedAt: '2026-02-01T00:00:00.000Z',
      version: 1,
    });
    await writeFile(join(work, 'audience.csv'), MAILCHIMP);

    const result = await run(['import', 'audience.csv', '--attest-consent']);

    expect(result.out).toMatch(/1 skipped/);
    expect((await store.get('ada@example.org'))?.status).toBe('unsubscribed');
  });

  it('imports nothing from a file with broken quoting', async () => {
    await writeFile(join(work, 'broken.csv'), 'email,name\r\nada@example.org,"Ada\r\nbob@example.org,Bob\r\n');

    const result = await run(['import', 'broken.csv', '--attest-consent']);

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/broken\.csv:\d+: error/);
    expect(await everyone(store)).toEqual([]);
  });
});

describe('subscribers export, list, count and remove', () => {
  it('exports a list that re-imports to the same state', async () => {
    await writeFile(join(work, 'audience.csv'), MAILCHIMP);
    await run(['import', 'audience.csv', '--attest-consent']);
    await run(['remove', 'bob@example.org']);
    await store.save({
      key: 'carol@example.org',
      address: 'carol@example.org',
      name: 'Carol, "C" =1+1',
      status: 'suppressed',
      subscribedAt: '2026-01-01T00:00:00.000Z',
      subscribedVia: 'form',
      suppressedAt: '2026-03-01T00:00:00.000Z',
      suppressedReason: 'complaint',
      version: 1,
    });
    const before = await everyone(store);

    expect((await run(['export', '--out', 'list.csv'])).code).toBe(0);
    const fresh = 'feedmail-reimport';
    await createStateTable(standIns.dynamo, fresh);
    await pointAt(fresh);
    await run(['import', 'list.csv', '--attest-consent']);
    const after = await everyone(createDynamoSubscriberStore({ tableName: fresh, client: standIns.dynamo }));

    const state = (s: Subscriber) => ({
      address: s.address,
      name: s.name,
      status: s.status,
      subscribedAt: s.subscribedAt,
      confirmedAt: s.confirmedAt,
      unsubscribedAt: s.unsubscribedAt,
      suppressedAt: s.suppressedAt,
      suppressedReason: s.suppressedReason,
    });
    expect(after.map(state)).toEqual(before.map(state));
    expect(await readFile(join(work, 'list.csv'), 'utf8')).toMatch(/^email,name,status/);
  });

  it('lists, counts by status and filters', async () => {
    await writeFile(join(work, 'audience.csv'), MAILCHIMP);
    await run(['import', 'audience.csv', '--attest-consent']);
    await run(['remove', 'ada@example.org']);

    const count = await run(['count']);
    const confirmed = await run(['list', '--status', 'confirmed']);

    expect(count.out).toMatch(/confirmed\s+1/);
    expect(count.out).toMatch(/unsubscribed\s+1/);
    expect(count.out).toMatch(/total\s+2/);
    expect(confirmed.out.split('\n')).toEqual([expect.stringMatching(/^Bob@example\.org\tconfirmed\tBob\t/)]);
  });

  it('erases an address entirely with --erase', async () => {
    await writeFile(join(work, 'audience.csv'), MAILCHIMP);
    await run(['import', 'audience.csv', '--attest-consent']);

    const result = await run(['remove', 'ADA@example.org', '--erase']);

    expect(result.out).toMatch(/erased/);
    expect(await store.get('ada@example.org')).toBeUndefined();
  });

  it.each([
    [['frobnicate'], /unknown subscribers command/],
    [['import'], /needs the CSV file/],
    [['list', '--status', 'happy'], /--status "happy"/],
    [['remove', 'a@example.org', 'b@example.org'], /unexpected argument/],
    [['remove', 'not an address'], /cannot remove "not an address"/],
    [['count', '--status', 'confirmed'], /--status is for export and list, not count/],
    [['list', '--erase'], /--erase is for remove/],
    [['count', '--region', 'eu-west-1'], /--region goes with --table/],
  ])('explains a usage error %j with exit status 2', async (args, message) => {
    const result = await run(args);

    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });

  it('says how to start a local run when none is going', async () => {
    await rm(join(work, '.local'), { recursive: true });

    const result = await run(['count']);

    expect(result.code).toBe(2);
    expect(result.err).toMatch(/npm start/);
  });
});
