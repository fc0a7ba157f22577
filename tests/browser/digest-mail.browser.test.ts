import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDigestMail } from '../../functions/core/mail/digest-mail.ts';
import { personalizeMail } from '../../functions/core/mail/mail-template.ts';
import { launchBrowser, PHONE, SKIP_REASON, skipBrowserTests, type TestBrowser } from '../support/browser.ts';
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

  beforeAll(async () => {
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
});
