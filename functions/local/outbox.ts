/**
 * The local stand-in for SES: every message is written as the raw MIME SES would have received, one `.eml` file each,
 * and `/_outbox/` shows them. Raw files rather than an SES emulator, because the emulators keep only from, to,
 * subject and bodies and drop List-Unsubscribe and the other headers we need to see.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
// A devDependency: the outbox is dev tooling, run from the repository with dev dependencies installed.
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import type { Mailer } from '../app/ports.ts';
import { html, type SafeHtml } from '../core/html.ts';

/** `<UTC time to the millisecond>-<sequence>.eml`: names sort in send order, and nothing else is ever served. */
const MESSAGE_FILE = /^\d{8}T\d{9}Z-\d{6}\.eml$/;
const ROUTE = /^\/_outbox\/(\d{8}T\d{9}Z-\d{6}\.eml)(?:\/(html|raw))?$/;
const NEXT_ROUTE = /^\/_outbox\/next(?:\/(html))?$/;

/** The next digest as `/_outbox/next` shows it: the mail as a sample reader would get it, or why there is none. */
export interface DigestPreview {
  /** What the author should know: what the next run would do, and how to send it. */
  note: string;
  mail?: { subject: string; posts: number; html: string; text: string };
}

/** Process-wide, so two outbox mailers (or two sends in one millisecond) still get names in send order. */
let sequence = 0;

const fileNameFor = (now: Date): string => {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  sequence = (sequence + 1) % 1_000_000;
  return `${stamp}-${String(sequence).padStart(6, '0')}.eml`;
};

/**
 * A Mailer that writes each message to `dir` (created when missing). The message id is the file's name without
 * `.eml`, which is also its address under `/_outbox/`.
 */
export const createOutboxMailer = (dir: string, options: { now?: () => Date } = {}): Mailer => {
  const now = options.now ?? (() => new Date());
  return {
    send: async (message) => {
      // Named before the first await, so concurrent sends are numbered in call order.
      const name = fileNameFor(now());
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, name), message.raw, { flag: 'wx' });
      return { messageId: name.slice(0, -'.eml'.length) };
    },
  };
};

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'none'";
/**
 * The mail's own HTML: no scripts, no forms, no plugins, even when opened outside the iframe (the CSP carries its own
 * sandbox). Popups are allowed so that a link (the confirm link) opens in a new tab, outside the sandbox.
 */
const MAIL_CSP =
  "default-src 'none'; img-src data: http: https:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox";

const send = (response: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer) => {
  response.writeHead(status, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
};

const sendPage = (response: ServerResponse, status: number, title: string, body: SafeHtml) =>
  send(
    response,
    status,
    { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP },
    html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1f2933; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  pre { white-space: pre-wrap; background: #f4f4f5; padding: 1rem; overflow-wrap: anywhere; }
  iframe { width: 100%; height: 80vh; border: 1px solid #ccc; }
</style></head>
<body>${body}</body></html>
`.value,
  );

/** A mail's HTML part, under the CSP that keeps it inert. */
const sendMailHtml = (response: ServerResponse, body: string) =>
  send(
    response,
    200,
    {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': MAIL_CSP,
      'referrer-policy': 'no-referrer',
    },
    body,
  );

const addresses = (value: AddressObject | AddressObject[] | undefined): string =>
  (Array.isArray(value) ? value : value ? [value] : []).map((address) => address.text).join(', ');

const formatDate = (date: Date | undefined): string =>
  date ? `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '';

const parseMessage = async (dir: string, name: string): Promise<ParsedMail> =>
  simpleParser(await readFile(join(dir, name)));

const listMessages = async (dir: string): Promise<string[]> => {
  try {
    return (await readdir(dir)).filter((name) => MESSAGE_FILE.test(name)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
};

const renderList = async (dir: string): Promise<SafeHtml> => {
  const names = (await listMessages(dir)).reverse();
  const rows = await Promise.all(
    names.map(async (name) => {
      const mail = await parseMessage(dir, name);
      return html`<tr><td>${formatDate(mail.date)}</td><td>${addresses(mail.to)}</td>
<td><a href="/_outbox/${name}">${mail.subject ?? '(no subject)'}</a></td></tr>`;
    }),
  );
  return html`<h1>Outbox</h1>
<p>Mail the local run sent, newest first, as SES would have received it. Files in <code>${dir}</code>.</p>
<p><a href="/_outbox/next">The next digest</a>: what subscribers would get if it went out now.</p>
${
  rows.length === 0
    ? html`<p>No mail sent yet.</p>`
    : html`<table><thead><tr><th>Date</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`
}`;
};

const renderMessage = (name: string, mail: ParsedMail): SafeHtml => {
  const summary: [string, string][] = [
    ['Subject', mail.subject ?? ''],
    ['From', addresses(mail.from)],
    ['To', addresses(mail.to)],
    ['Reply-To', addresses(mail.replyTo)],
    ['Date', formatDate(mail.date)],
    ['Message-ID', mail.messageId ?? ''],
  ];
  return html`<p><a href="/_outbox/">All messages</a> · <a href="/_outbox/${name}/raw">Download ${name}</a></p>
<h1>${mail.subject ?? '(no subject)'}</h1>
<table>${summary.filter(([, value]) => value !== '').map(([key, value]) => html`<tr><th>${key}</th><td>${value}</td></tr>`)}</table>
<details><summary>All headers, as sent</summary><pre>${mail.headerLines.map((header) => `${header.line}\n`)}</pre></details>
<h2>HTML part</h2>
${
  mail.html === false
    ? html`<p>This message has no HTML part.</p>`
    : html`<iframe title="HTML part of the message" sandbox="allow-popups allow-popups-to-escape-sandbox" src="/_outbox/${name}/html"></iframe>`
}
<h2>Text part</h2>
<pre>${mail.text ?? '(this message has no text part)'}</pre>`;
};

const renderNext = (preview: DigestPreview): SafeHtml => {
  const { mail } = preview;
  return html`<p><a href="/_outbox/">All messages</a></p>
<h1>Next digest${mail ? html`: ${mail.subject}` : ''}</h1>
<p>${preview.note}</p>
${
  mail
    ? html`<table><tr><th>Posts</th><td>${String(mail.posts)}</td></tr>
<tr><th>HTML</th><td>${`${Math.round(Buffer.byteLength(mail.html) / 1024)} KB`} (Gmail cuts mail off at about 102 KB)</td></tr></table>
<h2>HTML part</h2>
<iframe title="HTML part of the next digest" sandbox="allow-popups allow-popups-to-escape-sandbox" src="/_outbox/next/html"></iframe>
<h2>Text part</h2>
<pre>${mail.text}</pre>`
    : ''
}`;
};

/**
 * Serves `/_outbox/` (the list), `/_outbox/<file>` (one message), `/_outbox/<file>/html` (its HTML part, sandboxed)
 * and `/_outbox/<file>/raw` (the .eml); with `next`, `/_outbox/next` (the digest the next run would send, asked of
 * `next` on each request, so it is always current) and `/_outbox/next/html`. Returns false for any other path, so
 * the caller can serve the site.
 * Only names of the outbox's own pattern are ever read, so no path can leave `dir`.
 */
export const handleOutboxRequest = async (
  request: IncomingMessage,
  response: ServerResponse,
  dir: string,
  next?: () => Promise<DigestPreview>,
): Promise<boolean> => {
  const path = new URL(request.url ?? '/', 'http://local').pathname;
  if (path !== '/_outbox' && !path.startsWith('/_outbox/')) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'Method not allowed.\n');
    return true;
  }
  if (path === '/_outbox') {
    send(response, 301, { location: '/_outbox/' }, '');
    return true;
  }
  if (path === '/_outbox/') {
    sendPage(response, 200, 'Outbox', await renderList(dir));
    return true;
  }
  const nextRoute = NEXT_ROUTE.exec(path);
  if (nextRoute && next) {
    const preview = await next();
    if (nextRoute[1] === 'html') sendMailHtml(response, preview.mail?.html ?? '');
    else sendPage(response, 200, 'Next digest', renderNext(preview));
    return true;
  }
  const [, name, part] = ROUTE.exec(path) ?? [];
  let bytes: Buffer | undefined;
  try {
    if (name) bytes = await readFile(join(dir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!name || !bytes) {
    sendPage(response, 404, 'Not found', html`<h1>Not found</h1><p><a href="/_outbox/">All messages</a></p>`);
    return true;
  }
  if (part === 'raw') {
    send(
      response,
      200,
      { 'content-type': 'message/rfc822', 'content-disposition': `attachment; filename="${name}"` },
      bytes,
    );
    return true;
  }
  const mail = await simpleParser(bytes);
  if (part === 'html') {
    sendMailHtml(response, mail.html === false ? '' : mail.html);
    return true;
  }
  sendPage(response, 200, mail.subject ?? name, renderMessage(name, mail));
  return true;
};
