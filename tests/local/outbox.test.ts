import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMessage } from '../../functions/core/mail/compose-message.ts';
import { createOutboxMailer, handleOutboxRequest } from '../../functions/local/outbox.ts';

/*
 * Three messages written by the outbox mailer (the first two in the same millisecond), then the outbox pages served
 * by node:http on an ephemeral port, the way the local dev server will mount them, and read with fetch.
 */
let dir: string;
let server: Server;
let base: string;
let names: string[];
const SUBJECTS = ['First <script>alert(1)</script>', 'Second', 'Third ☕'];

const compose = (subject: string) =>
  composeMessage({
    from: { address: 'news@notes.example', name: 'Notes' },
    to: { address: 'ada@example.org' },
    subject,
    text: `Text of ${subject}\n`,
    html: `<p>HTML of ${subject.replace(/</g, '&lt;')}</p><script>alert(2)</script>`,
    now: new Date('2026-11-14T09:30:00.000Z'),
    unsubscribe: { url: 'https://notes.example/u?t=1' },
  });

const get = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'feedmail-outbox-'));
  const clock = [1_000, 1_000, 2_000].map((ms) => new Date(Date.UTC(2026, 10, 14, 9, 30, 0, 0) + ms));
  const mailer = createOutboxMailer(join(dir, 'outbox'), { now: () => clock.shift() ?? new Date() });
  const ids: string[] = [];
  for (const subject of SUBJECTS) {
    const raw = await compose(subject);
    ids.push((await mailer.send({ from: 'news@notes.example', to: 'ada@example.org', raw })).messageId);
  }
  names = ids.map((id) => `${id}.eml`);
  server = createServer(async (request, response) => {
    if (!(await handleOutboxRequest(request, response, join(dir, 'outbox')))) response.writeHead(404).end('site');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('createOutboxMailer', () => {
  it('writes one .eml per message, named so that they sort in send order even within a millisecond', async () => {
    // Act
    const files = (await readdir(join(dir, 'outbox'))).sort();

    // Assess
    expect(files).toEqual(names);
    expect(names[0]).toMatch(/^20261114T093001000Z-\d{6}\.eml$/);
    expect(names[0]?.slice(0, 19)).toBe(names[1]?.slice(0, 19));
    const raw = await readFile(join(dir, 'outbox', names[2] ?? ''), 'latin1');
    expect(raw).toContain('List-Unsubscribe: <https://notes.example/u?t=1>');
  });
});

describe('handleOutboxRequest', () => {
  it('lists the messages newest first with date, recipient and subject, escaped', async () => {
    // Act
    const page = await get('/_outbox/');

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const positions = ['Third ☕', 'Second', 'First &lt;script&gt;'].map((text) => page.body.indexOf(text));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('2026-11-14 09:30:00 UTC'); // the messages' Date header
    expect(page.body).toContain('ada@example.org');
  });

  it('shows one message: headers, the text part, and the HTML in a sandboxed iframe without scripts', async () => {
    // Act
    const page = await get(`/_outbox/${names[0]}`);

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain('<th>Subject</th><td>First &lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(page.body).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(page.body).toMatch(/<pre>Text of First &lt;script&gt;alert\(1\)&lt;\/script&gt;\n<\/pre>/);
    const iframe = /<iframe[^>]*>/.exec(page.body)?.[0] ?? '';
    expect(iframe).toContain(`src="/_outbox/${names[0]}/html"`);
    expect(iframe).toMatch(/sandbox="[^"]*"/);
    expect(iframe).not.toContain('allow-scripts');
    expect(page.body).not.toContain('<script>');
  });

  it('serves the HTML part under a CSP that forbids scripts and sandboxes it', async () => {
    // Act
    const part = await get(`/_outbox/${names[1]}/html`);

    // Assess
    expect(part.status).toBe(200);
    expect(part.body).toContain('<p>HTML of Second</p>');
    const csp = part.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/sandbox(?![^;]*allow-scripts)/);
    expect(csp).not.toContain('script-src');
  });

  it('offers the raw message as a message/rfc822 download, byte for byte', async () => {
    // Act
    const response = await fetch(`${base}/_outbox/${names[2]}/raw`);
    const bytes = Buffer.from(await response.arrayBuffer());

    // Assess
    expect(response.headers.get('content-type')).toBe('message/rfc822');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${names[2]}"`);
    expect(bytes.equals(await readFile(join(dir, 'outbox', names[2] ?? '')))).toBe(true);
  });

  it.each([
    '/_outbox/..%2F..%2F..%2Fetc%2Fpasswd',
    '/_outbox/%2e%2e%2foutbox.test.ts',
    '/_outbox/..%5C..%5Cpackage.json',
    '/_outbox/20261114T093001000Z-000001.eml%2F..%2F..%2Fx',
    '/_outbox/20991231T000000000Z-000001.eml',
    '/_outbox/notes.txt',
  ])('answers 404 to %s without reading outside the outbox', async (path) => {
    // Act
    const page = await get(path);

    // Assess
    expect(page.status).toBe(404);
    expect(page.body).toContain('Not found');
  });

  it('leaves other paths (and dot segments the URL parser resolves away) to the caller', async () => {
    // Act
    const outside = await get('/_outboxes/');
    const resolved = await get('/_outbox/../package.json');

    // Assess
    expect(outside.body).toBe('site');
    expect(resolved.body).toBe('site');
  });

  it('redirects /_outbox to /_outbox/ and refuses methods other than GET and HEAD', async () => {
    // Act
    const bare = await fetch(`${base}/_outbox`, { redirect: 'manual' });
    const post = await get('/_outbox/', { method: 'POST' });

    // Assess
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/_outbox/');
    expect(post.status).toBe(405);
  });

  it('shows an empty outbox before any mail was sent', async () => {
    // Prepare
    const empty = createServer(async (request, response) => {
      await handleOutboxRequest(request, response, join(dir, 'never-created'));
    });
    await new Promise<void>((resolve) => empty.listen(0, '127.0.0.1', resolve));

    // Act
    const response = await fetch(`http://127.0.0.1:${(empty.address() as AddressInfo).port}/_outbox/`);
    const body = await response.text();
    await new Promise((resolve) => empty.close(resolve));

    // Assess
    expect(response.status).toBe(200);
    expect(body).toContain('No mail sent yet.');
  });
});
