import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSite, startLocalSite } from '../../functions/local/local-site.ts';

/*
 * What `npm start` does with digests: content/posts published through the real handler, the sample readers of
 * content/subscribers.csv imported, a digest planned and sent through the real planner and sender into the outbox.
 * The messages are read back with mailparser, and the one-click unsubscribe of their header is used.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The planner takes the posts queued by its slot, and the posts are queued when the run publishes them (now), so
 * the slots must lie ahead of the real clock: the first Monday 08:00 in Berlin (07:00Z in winter, 06:00Z in
 * summer) at least a day ahead, and the one a week later.
 */
const nextMondaySlot = (from: Date): Date => {
  const slot = new Date(from.getTime() + 24 * 60 * 60 * 1000);
  slot.setUTCHours(0, 0, 0, 0);
  while (slot.getUTCDay() !== 1) slot.setUTCDate(slot.getUTCDate() + 1);
  const berlinHour = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: 'numeric', hourCycle: 'h23' }).format(slot),
  );
  slot.setUTCHours(8 - berlinHour);
  return slot;
};
const firstSlot = nextMondaySlot(new Date());
const secondSlot = new Date(firstSlot.getTime() + 7 * 24 * 60 * 60 * 1000);
const yesterday = new Date(Date.now() - 24 * 60 * 60 * 1000);

describe('digests on the local run', () => {
  let local: LocalSite;
  let outboxDir: string;

  const outbox = async (): Promise<ParsedMail[]> => {
    const names = (await readdir(outboxDir)).filter((name) => name.endsWith('.eml')).sort();
    return Promise.all(names.map(async (name) => simpleParser(await readFile(join(outboxDir, name)))));
  };
  const header = (mail: ParsedMail, name: string): string => {
    const line = mail.headerLines.find((entry) => entry.key === name);
    return line
      ? line.line
          .slice(line.line.indexOf(':') + 1)
          .replace(/\r?\n\s+/g, ' ')
          .trim()
      : '';
  };

  beforeAll(async () => {
    outboxDir = await mkdtemp(join(tmpdir(), 'feedmail-digest-outbox-'));
    local = await startLocalSite({ root, port: 0, outboxDir });
    await local.publishAll();
    await local.importSubscribers(join(root, 'content', 'subscribers.csv'));
  });

  afterAll(async () => {
    await local?.close();
    await rm(outboxDir, { recursive: true, force: true });
  });

  it('previews the next digest at /_outbox/next from the real planner, changing nothing', async () => {
    const queuedBefore = await local.digests.mailQueue.listQueued('');

    const page = await fetch(`${local.url}_outbox/next`);
    const body = await page.text();
    const mailHtml = await (await fetch(`${local.url}_outbox/next/html`)).text();
    const again = await (await fetch(`${local.url}_outbox/next`)).text();

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(body).toMatch(/<h1>Next digest: [^<]+ and 7 more from Field Notes<\/h1>/);
    expect(body).toMatch(/<tr><th>Posts<\/th><td>8<\/td><\/tr>/);
    expect(body).toContain('Hello Sample Reader, here is what was published');
    expect(body).toContain('<iframe title="HTML part of the next digest"');
    expect(mailHtml).toContain('Hello Sample Reader, here is what was published');
    expect(mailHtml).toContain('/api/unsubscribe?token=preview');
    expect(again).toBe(body);
    // Read-only: the ledger is as it was, no digest exists, nothing was sent.
    expect(await local.digests.mailQueue.listQueued('')).toEqual(queuedBefore);
    expect(queuedBefore.filter((post) => post.digestId !== undefined)).toEqual([]);
    expect(await local.digests.ledger.listDigests(10)).toEqual([]);
    expect(existsSync(outboxDir) ? await readdir(outboxDir) : []).toEqual([]);
  });

  it('mails the sample readers one digest each of the published posts, as list mail', async () => {
    const { plans } = await local.digests.run(firstSlot.toISOString());
    const mails = await outbox();

    expect(plans).toMatchObject([{ posts: 8, recipients: 3 }]);
    expect(await local.digests.ledger.getDigest(plans[0]?.id as string)).toMatchObject({ status: 'sent', sent: 3 });
    expect(mails.map((m) => (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : '')).sort()).toEqual([
      'ada@example.org',
      'grace.sample@example.org',
      'linus@example.net',
    ]);
    for (const mail of mails) {
      expect(header(mail, 'list-unsubscribe')).toMatch(
        /^<http:\/\/localhost:\d+\/api\/unsubscribe\?token=[^>]+>, <mailto:newsletter@example\.org\?subject=unsubscribe>$/,
      );
      expect(header(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(header(mail, 'list-id')).toMatch(/<digest\.localhost>$/);
      expect(mail.text).toContain('Field Notes, 1 Sample Street');
      expect(String(mail.html)).toContain('Field Notes, 1 Sample Street');
    }
  });

  it('unsubscribes in one click from the header, and the next digest skips that reader', async () => {
    const ada = (await outbox()).find(
      (m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === 'ada@example.org',
    );
    const url = /<(http[^>]+)>/.exec(header(ada as ParsedMail, 'list-unsubscribe'))?.[1] as string;

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    await local.standIns.s3.send(
      new PutObjectCommand({
        Bucket: local.standIns.bucket,
        Key: 'posts/a-later-post.md',
        Body: `---\ntitle: A later post\ndate: ${yesterday.toISOString()}\n---\nWritten after the first digest.\n`,
      }),
    );
    await local.publisher.idle();
    const { plans } = await local.digests.run(secondSlot.toISOString());
    const latest = (await outbox()).filter((m) => m.subject === 'A later post');

    expect(response.status).toBe(200);
    expect((await local.subscriptions.store.get('ada@example.org'))?.status).toBe('unsubscribed');
    expect(plans).toMatchObject([{ posts: 1, recipients: 2 }]);
    expect(latest).toHaveLength(2);
    const next = await (await fetch(`${local.url}_outbox/next`)).text();
    expect(next).toContain('<h1>Next digest</h1>');
    expect(next).toContain('No new posts since the last digest');
    expect(next).not.toContain('<iframe');
  });
});
