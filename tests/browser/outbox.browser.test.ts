import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSite, startLocalSite } from '../../functions/local/local-site.ts';
import {
  axeViolationsEverywhere,
  DESKTOP,
  launchBrowser,
  NO_VIOLATIONS,
  SKIP_REASON,
  screenshotFolder,
  screenshotPhoneAndDesktop,
  skipBrowserTests,
  type TestBrowser,
} from '../support/browser.ts';

/*
 * The local run's outbox pages as an author opens them: the repository's own content published through the real
 * handler, /_outbox/next showing the digest the planner would send, then the outbox once that digest went out.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

// Skipped only on a developer machine without Debian's chromium (the reason is the suite's name then);
// CI installs chromium and sets CI, and there a missing browser fails instead of skipping.
describe.skipIf(skipBrowserTests)(skipBrowserTests ? SKIP_REASON : 'outbox pages in chromium', () => {
  let local: LocalSite;
  let browser: TestBrowser;
  let temp: string;
  let screenshots: string;

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'feedmail-outbox-pages-'));
    screenshots = await screenshotFolder(temp);
    [local, browser] = await Promise.all([
      startLocalSite({ root, port: 0, outboxDir: join(temp, 'outbox') }),
      // The outbox pages allow no script; axe-core has to be let in.
      launchBrowser({ bypassCSP: true }),
    ]);
    await local.publishAll();
    await local.importSubscribers(join(root, 'content', 'subscribers.csv'));
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), local?.close()]);
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  const open = async (path: string): Promise<Page> => {
    const page = await browser.context.newPage();
    await page.setViewportSize(DESKTOP);
    const response = await page.goto(`${local.url}${path}`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    return page;
  };

  it('shows the next digest before it is sent, its mail inside the page, with no WCAG A/AA violations', async () => {
    // Prepare
    const page = await open('_outbox/next');
    const mail = page.frameLocator('iframe[title="HTML part of the next digest"]');

    // Act
    const greeting = await mail.getByText('Hello Sample Reader, here is what was published').textContent();
    const heading = await page.locator('h1').textContent();
    await screenshotPhoneAndDesktop(page, screenshots, 'outbox-next');
    const found = await axeViolationsEverywhere(page);

    // Assess
    expect(heading).toMatch(/^Next digest: .+ and 7 more from Field Notes$/);
    expect(greeting).toContain('Hello Sample Reader');
    expect(await page.locator('pre').textContent()).toContain('Hello Sample Reader, here is what was published');
    expect(found).toEqual(NO_VIOLATIONS);
    await page.close();
  });

  it('lists the digest once sent, and says the next one waits for new posts', async () => {
    // Prepare
    await local.digests.run();

    // Act
    const list = await open('_outbox/');
    const rows = await list.locator('tbody tr').count();
    await screenshotPhoneAndDesktop(list, screenshots, 'outbox-list');
    const listViolations = await axeViolationsEverywhere(list);
    const next = await open('_outbox/next');
    const note = await next.locator('h1 + p').textContent();
    const nextViolations = await axeViolationsEverywhere(next);

    // Assess
    expect(rows).toBe(3);
    expect(listViolations).toEqual(NO_VIOLATIONS);
    expect(note).toContain('No new posts since the last digest');
    expect(await next.locator('iframe').count()).toBe(0);
    expect(nextViolations).toEqual(NO_VIOLATIONS);
    await Promise.all([list.close(), next.close()]);
  });
});
