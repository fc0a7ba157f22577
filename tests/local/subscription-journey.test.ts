import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsubscribeUrl } from '../../functions/core/subscribers/links.ts';
import { type LocalSite, startLocalSite } from '../../functions/local/local-site.ts';
import { launchBrowser, SKIP_REASON, skipBrowserTests, type TestBrowser } from '../support/browser.ts';

/*
 * The visitor's journey on the local run, in Debian's Chromium: subscribe from the home page's form, read the
 * confirmation mail from the outbox (parsed with mailparser, as a mail client would), follow its link, press
 * confirm, then leave through the unsubscribe page, and once more in one click as a mail client does.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const key = 'ada.journey@example.org';

// Skipped only on a developer machine without Debian's chromium (the reason is the suite's name then);
// CI installs chromium and sets CI, and there a missing browser fails instead of skipping.
describe.skipIf(skipBrowserTests)(skipBrowserTests ? SKIP_REASON : 'subscription journey in a browser', () => {
  let local: LocalSite;
  let browser: TestBrowser;
  let outboxDir: string;

  const outbox = async () => (await readdir(outboxDir)).filter((name) => name.endsWith('.eml')).sort();
  const status = async () => (await local.subscriptions.store.get(key))?.status;

  beforeAll(async () => {
    outboxDir = await mkdtemp(join(tmpdir(), 'feedmail-outbox-'));
    local = await startLocalSite({ root, port: 0, outboxDir });
    await local.publishAll();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await local?.close();
    await rm(outboxDir, { recursive: true, force: true });
  });

  it('subscribes, confirms by mail and unsubscribes', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 375, height: 800 });

    // Subscribe from the form in the home page's footer.
    await page.goto(local.url);
    await page.getByLabel('Email address').fill('Ada.Journey@Example.org');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect(await page.locator('h1').textContent()).toBe('Check your inbox');
    // POST/redirect/GET: the page is a result page whose URL names the outcome, not the address.
    expect(new URL(page.url()).search).toBe('?result=check-your-inbox');
    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('Check your inbox');
    expect(await status()).toBe('pending');

    // The confirmation mail, as SES would have received it.
    const files = await outbox();
    expect(files).toHaveLength(1);
    const mail = await simpleParser(await readFile(join(outboxDir, files[0] as string)));
    expect(mail.from?.value[0]?.address).toBe('newsletter@example.org');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe('Ada.Journey@example.org');
    expect(mail.subject).toBe('Confirm your subscription to Field Notes');
    expect(mail.text).toContain('/api/confirm?token=');
    const link = /href="([^"]*\/api\/confirm\?token=[^"]+)"/.exec(String(mail.html))?.[1]?.replaceAll('&amp;', '&');
    expect(link).toBeDefined();
    expect(mail.text).toContain(link);

    // Following the link shows a button and changes nothing until it is pressed.
    await page.goto(link as string);
    expect(await status()).toBe('pending');
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    expect(await page.locator('h1').textContent()).toBe('You’re subscribed');
    expect(new URL(page.url()).search).toBe('?result=confirmed');
    expect(await status()).toBe('confirmed');

    // The welcome mail: list mail now, with the one-click headers a digest has, sent once however often the page is
    // reloaded (the reload is a GET of the result page).
    await page.reload();
    const mails = await outbox();
    expect(mails).toHaveLength(2);
    const welcomeFile = mails.find((file) => file !== files[0]) as string;
    const welcome = await simpleParser(await readFile(join(outboxDir, welcomeFile)));
    expect(welcome.subject).toBe('Welcome to Field Notes');
    expect(welcome.text).toContain('/api/unsubscribe?token=');
    expect(welcome.headerLines.map((h) => h.key)).toEqual(
      expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'list-id']),
    );

    // The unsubscribe link of a list mail: a page, then a button.
    await page.goto(unsubscribeUrl(local.subscriptions, key));
    expect(await status()).toBe('confirmed');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    expect(await page.locator('h1').textContent()).toBe('You’re unsubscribed');
    expect(new URL(page.url()).search).toBe('?result=unsubscribed');
    expect(await status()).toBe('unsubscribed');
    expect(await outbox()).toHaveLength(2);
    await page.close();
  });

  it('unsubscribes with a mail client’s one-click POST (RFC 8058)', async () => {
    await local.subscriptions.store.save({
      key: 'oneclick@example.org',
      address: 'oneclick@example.org',
      status: 'confirmed',
      subscribedAt: '2026-11-01T00:00:00.000Z',
      subscribedVia: 'form',
      version: 1,
    });

    const response = await fetch(unsubscribeUrl(local.subscriptions, 'oneclick@example.org'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });

    expect(response.status).toBe(200);
    expect((await local.subscriptions.store.get('oneclick@example.org'))?.status).toBe('unsubscribed');
  });

  it('lists and shows the outbox on a local page', async () => {
    const page = await browser.context.newPage();

    await page.goto(new URL('_outbox/', local.url).href);
    await page
      .getByRole('link', { name: /Confirm your subscription/ })
      .first()
      .click();

    expect(await page.locator('body').textContent()).toContain('Ada.Journey@example.org');
    await page.close();
  });
});
