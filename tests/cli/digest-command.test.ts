import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoSendingPause } from '../../functions/adapters/dynamo-sending-pause.ts';
import { writeLocalRun } from '../../functions/local/local-run-file.ts';
import { STAND_IN_CLIENT_SETTINGS } from '../../functions/local/stand-ins.ts';
import { type DigestHarness, startDigestHarness } from '../support/digest-harness.ts';
import { postText } from '../support/publisher-harness.ts';
import { runCliIn } from '../support/run-cli.ts';

/* `npm run cli -- digest …`: preview from a folder (no AWS), and send/status against a local run's DynamoDB stand-in. */
let work: string;

const run = (args: string[]) => runCliIn(work, ['digest', ...args]);

const SITE = {
  title: 'CLI Notes',
  baseUrl: 'https://cli.example/',
  timeZone: 'UTC',
  mail: { from: 'news@cli.example', postalAddress: '1 CLI Street, Commandville' },
};

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'feedmail-digest-cli-'));
  await writeFile(join(work, 'site.config.json'), JSON.stringify(SITE));
  await mkdir(join(work, 'posts'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('digest preview', () => {
  it('writes the html, text and eml of the newest posts as a sample reader gets them', async () => {
    await writeFile(join(work, 'posts', 'one.md'), postText({ title: 'First light', date: '2024-11-01T10:00:00Z' }));
    await writeFile(join(work, 'posts', 'two.md'), postText({ title: 'Second wind', date: '2024-11-02T10:00:00Z' }));

    const result = await run(['preview', 'posts', '--out', 'preview']);
    const mail = await simpleParser(await readFile(join(work, 'preview', 'digest.eml')));

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/2 posts, whole posts, \d+ KB of HTML; subject "Second wind and 1 more/);
    expect((await readdir(join(work, 'preview'))).sort()).toEqual(['digest.eml', 'digest.html', 'digest.txt']);
    expect(await readFile(join(work, 'preview', 'digest.html'), 'utf8')).toContain('First light');
    expect(await readFile(join(work, 'preview', 'digest.txt'), 'utf8')).toContain('Second wind');
    expect(mail.subject).toMatch(/^Second wind and 1 more/);
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
  });

  it('explains what is missing', async () => {
    const noOut = await run(['preview', 'posts']);
    await writeFile(join(work, 'site.config.json'), JSON.stringify({ ...SITE, mail: undefined }));
    const noMail = await run(['preview', 'posts', '--out', 'x']);

    expect([noOut.code, noMail.code]).toEqual([2, 2]);
    expect(noOut.err).toMatch(/--out <dir>/);
    expect(noMail.err).toMatch(/no "mail" section/);
  });
});

describe('digest send and status on a local run', () => {
  let h: DigestHarness;
  beforeEach(async () => {
    h = await startDigestHarness();
    await writeLocalRun(work, {
      pid: process.pid,
      siteUrl: 'http://localhost:8787/',
      dynamoEndpoint: h.standIns.dynamoEndpoint,
      tableName: h.standIns.tableName,
      ...STAND_IN_CLIENT_SETTINGS,
      tokenKey: 'ab'.repeat(32),
    });
    // Queued in the past: the CLI plans with the real clock, and a digest takes posts queued up to its slot.
    await h.publish({ id: 'one', title: 'Queued post' }, { at: '2026-01-01T00:00:00.000Z' });
    await h.addSubscribers(3);
  });
  afterEach(async () => {
    await h.close();
  });

  it('shows who would get what without sending, then sends into the outbox, then reports', async () => {
    const dry = await run(['send', '--dry-run']);
    const sent = await run(['send']);
    const status = await run(['status']);
    const outbox = (await readdir(join(work, '.local', 'outbox'))).filter((name) => name.endsWith('.eml'));

    expect(dry.out).toMatch(/post: Queued post/);
    expect(dry.out).toMatch(/3 confirmed subscriber\(s\) would get it/);
    expect(sent.out).toMatch(/sent; 1 post\(s\), 3 recipient\(s\), 3 sent/);
    expect(outbox).toHaveLength(3);
    expect(status.out).toMatch(/sent; 1 post\(s\), 3 recipient\(s\), 3 sent, 0 failed, 0 skipped, 0 uncertain/);
    expect(status.out).toMatch(/subject: Queued post/);
  });

  it('shows a reputation pause in status and lifts it with resume', async () => {
    const pause = createDynamoSendingPause({ tableName: h.standIns.tableName, client: h.standIns.dynamo });
    await pause.pause('SesBounceRate: Threshold Crossed', '2026-11-21T08:00:00.000Z');

    const paused = await run(['status']);
    const resumed = await run(['resume']);
    const again = await run(['resume']);

    expect(paused.out).toMatch(/Sending is PAUSED since 2026-11-21T08:00:00.000Z: SesBounceRate/);
    expect(resumed.out).toMatch(/Digest sending resumed/);
    expect(again.out).toBe('Digest sending is not paused.');
    expect((await pause.get()).paused).toBe(false);
  });

  it('says there is nothing to send when nothing is new', async () => {
    const first = await run(['send']);

    const dry = await run(['send', '--dry-run']);
    const again = await run(['send']);

    expect(first.out).toMatch(/sent; 1 post\(s\), 3 recipient\(s\), 3 sent/);
    expect(dry.out).toMatch(/No new posts/);
    // Within the same minute the planner hands back that minute's digest, already sent; later, an empty one.
    expect(again.out).toMatch(/^No new posts[^\n]*: nothing to send\.$/);
    expect(again.out).not.toMatch(/post\(s\)/);
    expect((await readdir(join(work, '.local', 'outbox'))).filter((name) => name.endsWith('.eml'))).toHaveLength(3);
  });
});
