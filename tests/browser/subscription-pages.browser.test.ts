import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postPagePath, SITE_FILES, siteUrl } from '../../functions/core/paths.ts';
import { renderIndexPage } from '../../functions/core/site/pages.ts';
import { type PageInputs, SUBSCRIPTION_PAGES } from '../../functions/core/site/subscription-pages.ts';
import type { PostSummary, SiteConfig } from '../../functions/core/types.ts';
import {
  axeViolationsEverywhere,
  launchBrowser,
  NO_VIOLATIONS,
  PHONE,
  SKIP_REASON,
  type StaticServer,
  screenshotFolder,
  screenshotPhoneAndDesktop,
  serveFolder,
  skipBrowserTests,
  type TestBrowser,
} from '../support/browser.ts';
import { fieldNotesMail, fieldNotesSite } from '../support/site-fixtures.ts';

/** What a visitor might really send, with an address long enough to test wrapping on a phone. */
const INPUTS: PageInputs = {
  email: 'ada.lovelace.analytical.engine.notes@subdomain.example.org',
  name: 'Ada Lovelace',
  error: 'an address needs a domain after the @, like ada@example.org',
  token: 'eyJzIjoiYWRhQGV4YW1wbGUub3JnIn0.c2lnbmF0dXJl',
  message: 'We could not save your request. Try again in a minute.',
};

const makeSummary = (site: SiteConfig, slug: string, title: string): PostSummary => ({
  id: `tag:notes,2024:${slug}`,
  sourcePath: `${slug}.md`,
  slug,
  url: siteUrl(site, postPagePath(slug)),
  title,
  date: '2024-11-14T09:30:00.000Z',
  summary: 'A short summary of the post.',
  tags: [],
  categories: [],
  authors: [],
});

// Skipped only on a developer machine without Debian's chromium (the reason is the suite's name then);
// CI installs chromium and sets CI, and there a missing browser fails instead of skipping.
describe.skipIf(skipBrowserTests)(skipBrowserTests ? SKIP_REASON : 'subscription pages in chromium', () => {
  let root: string;
  let server: StaticServer;
  let browser: TestBrowser;
  let site: SiteConfig;
  let screenshots: string;

  const write = async (path: string, body: string): Promise<void> => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), body);
  };

  /** Every subscription page under `flow/<name>/`, the subscribe page where the site has it, and the home page. */
  const PAGES = [
    ...Object.keys(SUBSCRIPTION_PAGES).map((name) => ({ name, path: `flow/${name}/index.html` })),
    { name: 'index with footer form', path: SITE_FILES.index },
  ];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'feedmail-subscription-pages-'));
    [server, browser] = await Promise.all([serveFolder(root), launchBrowser()]);
    screenshots = await screenshotFolder(root);
    site = fieldNotesSite({ baseUrl: server.url, author: { name: 'Ada Example' }, mail: fieldNotesMail() });
    await write(
      SITE_FILES.stylesheet,
      await readFile(new URL('../../templates/site/style.css', import.meta.url), 'utf8'),
    );
    for (const [name, render] of Object.entries(SUBSCRIPTION_PAGES)) {
      await write(`flow/${name}/index.html`, render(site, INPUTS));
    }
    await write(SITE_FILES.subscribe, SUBSCRIPTION_PAGES.subscribe(site));
    const posts = [makeSummary(site, 'hello', 'Hello, world'), makeSummary(site, 'again', 'Hello again')];
    await write(SITE_FILES.index, renderIndexPage(posts, [{ month: '2024-11', count: 2 }], site));
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), server?.close()]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  const open = async (path: string, viewport = PHONE): Promise<Page> => {
    const page = await browser.context.newPage();
    await page.setViewportSize(viewport);
    const response = await page.goto(siteUrl(site, path), { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    return page;
  };

  it.each(PAGES)(
    'has no WCAG 2 A/AA violations on the $name page, phone and desktop, light and dark',
    async ({ name, path }) => {
      // Prepare
      const page = await open(path);
      await screenshotPhoneAndDesktop(page, screenshots, name.replaceAll(' ', '-'));

      // Act
      const found = await axeViolationsEverywhere(page);

      // Assess
      expect(found).toEqual(NO_VIOLATIONS);
      await page.close();
    },
  );

  it.each(PAGES)('fits the $name page in a 375 px phone screen without sideways scrolling', async ({ path }) => {
    // Prepare
    const page = await open(path);

    // Act
    const { scrollWidth, clientWidth, formRight } = await page.evaluate<{
      scrollWidth: number;
      clientWidth: number;
      formRight: number;
    }>(`(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      formRight: Math.max(0, ...[...document.querySelectorAll('form')].map((form) => form.getBoundingClientRect().right)),
    }))()`);

    // Assess
    expect(clientWidth).toBe(PHONE.width);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(formRight).toBeLessThanOrEqual(clientWidth);
    await page.close();
  });

  it('shows a name error between the name label and the name field, and none at the email field', async () => {
    // Prepare
    const page = await open('flow/form-error-name/index.html');

    // Act
    const boxes = await page.evaluate<Record<string, number>>(`(() => {
      const top = (selector) => document.querySelector(selector)?.getBoundingClientRect().top ?? -1;
      return {
        nameLabel: top('label[for="subscribe-name"]'),
        error: top('#subscribe-name-error'),
        nameInput: top('#subscribe-name'),
        emailErrors: document.querySelectorAll('#subscribe-email-error').length,
      };
    })()`);
    const described = await page.getByLabel('Name').getAttribute('aria-describedby');

    // Assess
    expect(boxes.nameLabel).toBeLessThan(boxes.error as number);
    expect(boxes.error).toBeLessThan(boxes.nameInput as number);
    expect(boxes.emailErrors).toBe(0);
    expect(described).toBe('subscribe-name-error');
    await page.close();
  });

  it('tabs from the email field to the name field to the Subscribe button, never into the honeypot', async () => {
    // Prepare
    const page = await open(SITE_FILES.subscribe);
    const focused = () =>
      page.evaluate<string>(
        '(() => { const e = document.activeElement; return e.tagName + ":" + (e.name || e.textContent.trim()); })()',
      );

    // Act: walk the whole page with Tab, from the top until focus leaves the page or comes round again.
    const order: string[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const stop = await focused();
      if (stop.startsWith('BODY') || order.includes(stop)) break;
      order.push(stop);
    }

    // Assess
    const start = order.indexOf('INPUT:email');
    expect(order.slice(start, start + 3)).toEqual(['INPUT:email', 'INPUT:name', 'BUTTON:Subscribe']);
    expect(order.filter((stop) => /^(INPUT|BUTTON)/.test(stop))).toHaveLength(3);
    expect(order).not.toContain('INPUT:website');
    await page.close();
  });

  it('keeps the honeypot out of sight and gives the focused field a visible ring and a 44 px target', async () => {
    // Prepare
    const page = await open(SITE_FILES.subscribe);

    // Act
    const honeypot = await page.locator('input[name="website"]').boundingBox();
    await page.focus('input[name="email"]');
    const email = await page.evaluate<{ outline: string; height: number }>(`(() => {
      const input = document.activeElement;
      const style = getComputedStyle(input);
      return { outline: style.outlineStyle + ' ' + style.outlineWidth, height: input.getBoundingClientRect().height };
    })()`);
    const button = await page.locator('form button').boundingBox();

    // Assess
    expect(honeypot && honeypot.x + honeypot.width).toBeLessThanOrEqual(0);
    expect(email.outline).toBe('solid 3px');
    expect(email.height).toBeGreaterThanOrEqual(44);
    expect(button?.height).toBeGreaterThanOrEqual(44);
    await page.close();
  });
});
