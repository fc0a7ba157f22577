import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileConfirmationMail } from '../../functions/core/mail/confirmation-mail.ts';
import { compileDigestMail } from '../../functions/core/mail/digest-mail.ts';
import { personalizeMail } from '../../functions/core/mail/mail-template.ts';
import { compileWelcomeMail } from '../../functions/core/mail/welcome-mail.ts';
import {
  axeViolationsEverywhere,
  launchBrowser,
  NO_VIOLATIONS,
  PHONE,
  SKIP_REASON,
  screenshotFolder,
  skipBrowserTests,
  type TestBrowser,
} from '../support/browser.ts';
import {
  loadMailTemplates,
  makeDigest,
  makeDigestPost,
  makeDigestSite,
  makePostHtml,
} from '../support/digest-fixtures.ts';

/*
 * The digest's HTML as a mail app's HTML view shows it: a desktop mail pane about 600 px wide, and a phone.
 * Images are served from memory (a 1200 x 600 picture, wider than the column, as photos and screenshots are);
 * every other request is refused, as mail apps block what they do not know.
 */
const VIEWPORTS = [
  { name: 'a 600 px mail pane', width: 600, height: 900 },
  { name: 'a 375 px phone', ...PHONE },
];
const UNSUBSCRIBE_URL = 'https://notes.example/api/unsubscribe?token=eyJwIjoidSJ9.c2ln';

/** What could push a phone's screen sideways: long words, long URLs, code lines, a wide table, a wide image. */
const STRESS_HTML = [
  `<p>An address: https://notes.example/${'very-long-path-segment-'.repeat(8)}end and ${'Donaudampfschifffahrtsgesellschaft'.repeat(3)}.</p>`,
  `<pre><code>const line = "${'x'.repeat(200)}";\nshort line</code></pre>`,
  '<table><thead><tr><th>Region</th><th>p50</th><th>p99</th><th>Requests per second</th></tr></thead>',
  '<tbody><tr><td>eu-central-1</td><td>12 ms</td><td>180 ms</td><td>14,000</td></tr></tbody></table>',
  '<p><img src="https://notes.example/wide.png" alt="A wide chart" width="2400" height="1200" /></p>',
].join('\n');

// Skipped only on a developer machine without Debian's chromium (the reason is the suite's name then);
// CI installs chromium and sets CI, and there a missing browser fails instead of skipping.
describe.skipIf(skipBrowserTests)(skipBrowserTests ? SKIP_REASON : 'digest mail in chromium', () => {
  let browser: TestBrowser;
  let html: string;
  let picture: Buffer;
  let temp: string;
  let screenshots: string;

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'feedmail-digest-'));
    screenshots = await screenshotFolder(temp);
    const site = makeDigestSite();
    const posts = Array.from({ length: 5 }, (_, i) => makeDigestPost(i + 1, site));
    posts.push(
      makeDigestPost(6, site, {
        html: `${makePostHtml(6, new URL('posts/post-6/', site.baseUrl).href)}\n${STRESS_HTML}`,
      }),
    );
    const [compiled, started] = await Promise.all([
      compileDigestMail({ files: loadMailTemplates(), site, content: makeDigest(posts, 4) }),
      launchBrowser(),
    ]);
    browser = started;
    // The same substitution buildDigestMessage makes for each recipient.
    html = personalizeMail(compiled, { unsubscribeUrl: UNSUBSCRIBE_URL, recipientName: 'Ada' }).html;
    const page = await browser.context.newPage();
    const dataUrl = await page.evaluate<string>(`(() => {
      const canvas = document.createElement('canvas');
      canvas.width = 1200;
      canvas.height = 600;
      const context = canvas.getContext('2d');
      context.fillStyle = '#0b57d0';
      context.fillRect(0, 0, 1200, 600);
      return canvas.toDataURL('image/png');
    })()`);
    picture = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    await page.close();
  });

  afterAll(async () => {
    await browser?.close();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  const open = async (viewport: { width: number; height: number }): Promise<Page> => {
    const page = await browser.context.newPage();
    await page.route('**/*', (route) =>
      /\.png$/.test(new URL(route.request().url()).pathname)
        ? route.fulfill({ status: 200, contentType: 'image/png', body: picture })
        : route.abort(),
    );
    await page.setViewportSize(viewport);
    await page.setContent(html, { waitUntil: 'load' });
    return page;
  };

  it.each(VIEWPORTS)('fits $name: no sideways scrolling, every image inside the screen', async (viewport) => {
    // Prepare
    const page = await open(viewport);

    // Act
    const layout = await page.evaluate<{
      scrollWidth: number;
      clientWidth: number;
      images: { src: string; loaded: boolean; left: number; right: number }[];
      overflowing: string[];
    }>(`(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      images: [...document.images].map((img) => {
        const box = img.getBoundingClientRect();
        return { src: img.src, loaded: img.complete && img.naturalWidth > 0, left: box.left, right: box.right };
      }),
      overflowing: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((e) => e.tagName + (e.className ? '.' + e.className : '')),
    }))()`);

    // Assess
    expect(layout.clientWidth).toBe(viewport.width);
    expect(layout.overflowing).toEqual([]);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
    // One chart in each post, and the stress post's wide image.
    expect(layout.images.length).toBe(7);
    expect(layout.images.filter((img) => !img.loaded || img.left < 0 || img.right > viewport.width)).toEqual([]);
    await page.close();
  });

  it.each(VIEWPORTS)('shows the unsubscribe link in $name', async (viewport) => {
    // Prepare
    const page = await open(viewport);
    const link = page.locator(`a[href="${UNSUBSCRIBE_URL}"]`);

    // Act
    await link.scrollIntoViewIfNeeded();
    const box = await link.boundingBox();
    const fontSize = await page.evaluate<number>(
      `parseFloat(getComputedStyle(document.querySelector('a[href="${UNSUBSCRIBE_URL}"]')).fontSize)`,
    );

    // Assess
    expect(await link.isVisible()).toBe(true);
    expect(await link.textContent()).toBe('Unsubscribe');
    expect(box && box.x >= 0 && box.x + box.width <= viewport.width && box.height > 0).toBe(true);
    expect(fontSize).toBeGreaterThanOrEqual(13);
    await page.close();
  });

  it('has no WCAG A/AA violations, light or dark, on a phone or a desktop', async () => {
    // Prepare
    const page = await open(VIEWPORTS[0] ?? PHONE);

    // Act
    const found = await axeViolationsEverywhere(page);

    // Assess
    expect(found).toEqual(NO_VIOLATIONS);
    await page.close();
  });

  it.each(VIEWPORTS)("switches to the dark palette in $name when the reader's app is dark", async (viewport) => {
    // Prepare
    const page = await open(viewport);
    const colours = `(() => {
      const style = (selector) => getComputedStyle(document.querySelector(selector));
      return {
        // MJML puts the body's colour on the wrapper inside <body> too.
        body: style('body').backgroundColor,
        wrapper: style('body > [role="article"]').backgroundColor,
        card: style('.mail-card').backgroundColor,
        text: style('.post div').color,
        link: style('.post a[href^="https://notes.example/posts/post-6/"]:not(.post-title a)').color,
        title: style('.post-title a').color,
        footer: style('.footer a').color,
      };
    })()`;
    const light = await page.evaluate<Record<string, string>>(colours);

    // Act
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate<Record<string, string>>(colours);
    await page.screenshot({ path: join(screenshots, `digest-dark-${viewport.width}.png`), fullPage: true });

    // Assess
    expect(light).toMatchObject({
      body: 'rgb(244, 244, 245)',
      wrapper: 'rgb(244, 244, 245)',
      card: 'rgb(255, 255, 255)',
      text: 'rgb(31, 41, 51)',
    });
    expect(dark).toEqual({
      body: 'rgb(17, 24, 39)',
      wrapper: 'rgb(17, 24, 39)',
      card: 'rgb(31, 41, 51)',
      text: 'rgb(229, 231, 235)',
      link: 'rgb(138, 180, 248)',
      title: 'rgb(138, 180, 248)',
      footer: 'rgb(156, 163, 175)',
    });
    await page.close();
  });

  it.each([
    ['confirmation', () => compileConfirmationMail(loadMailTemplates(), makeDigestSite()), true],
    ['welcome', () => compileWelcomeMail(loadMailTemplates(), makeDigestSite()), false],
  ])(
    'shows the %s mail without WCAG A/AA violations, light or dark, any button blue in both',
    async (_, compile, hasButton) => {
      // Prepare
      const compiled = await compile();
      const values = { confirmUrl: 'https://notes.example/api/confirm?token=abc', recipientName: 'Ada' };
      const page = await browser.context.newPage();
      await page.route('**/*', (route) => route.abort());
      await page.setContent(personalizeMail(compiled, { ...values, unsubscribeUrl: UNSUBSCRIBE_URL }).html);
      const button = `(() => {
      const link = document.querySelector('.mail-button a');
      return link && { background: getComputedStyle(link.closest('td')).backgroundColor, text: getComputedStyle(link).color };
    })()`;

      // Act
      const found = await axeViolationsEverywhere(page);
      await page.emulateMedia({ colorScheme: 'dark' });
      const darkButton = await page.evaluate(button);
      await page.emulateMedia({ colorScheme: 'light' });
      const lightButton = await page.evaluate(button);

      // Assess
      expect(found).toEqual(NO_VIOLATIONS);
      expect(darkButton).toEqual(lightButton);
      expect(lightButton).toEqual(hasButton ? { background: 'rgb(11, 87, 208)', text: 'rgb(255, 255, 255)' } : null);
      await page.close();
    },
  );
});
