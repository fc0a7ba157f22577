/**
 * A real browser for tests: Debian's chromium driven by playwright-core (never a downloaded browser; there is no
 * internet), plus a tiny static server for rendered pages.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { httpHeadersFor } from '../../functions/core/paths.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The viewports the page tests look at: a small phone and a laptop. */
export const PHONE = { width: 375, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

/**
 * Browser tests skip only on a developer machine without chromium; in CI a missing browser must fail the run,
 * so the skip never hides a broken pipeline.
 */
export const skipBrowserTests = !existsSync(CHROMIUM_PATH) && !process.env.CI;

export const SKIP_REASON = `browser tests skipped: ${CHROMIUM_PATH} not found (apt-get install -y chromium fonts-noto-color-emoji); they always run when CI is set`;

/** Flags measured to start Debian's chromium quietly and offline in a container (see shared FINDINGS). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface TestBrowser {
  context: BrowserContext;
  close: () => Promise<void>;
}

/**
 * Starts chromium with a fresh profile of its own; `close` stops it and deletes the profile. `bypassCSP` lets axe-core
 * be injected into pages whose Content-Security-Policy allows no script (the local run's outbox).
 */
export const launchBrowser = async (options: { bypassCSP?: boolean } = {}): Promise<TestBrowser> => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium fonts-noto-color-emoji`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'feedmail-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 20_000,
    bypassCSP: options.bypassCSP ?? false,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
};

export interface StaticServer {
  /** Base URL ending in `/`, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  close: () => Promise<void>;
}

/**
 * Serves a folder on 127.0.0.1 with a free port, mapping `/a/` to `/a/index.html` the way the public site does.
 */
export const serveFolder = async (root: string): Promise<StaticServer> => {
  const server: Server = createServer(async (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const relative = normalize(pathname.endsWith('/') ? `${pathname}index.html` : pathname).replace(/^[/\\]+/, '');
    const file = join(root, relative);
    if (!file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': httpHeadersFor(relative).contentType }).end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
};

/** axe-core's browser build, injected into pages under test. */
export const AXE_PATH = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
/** WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * The WCAG A/AA violations axe-core finds on a page, phone and desktop, light and dark, keyed by
 * `<width>px <scheme>` so a failure says where. Injects axe-core first.
 */
export const axeViolationsEverywhere = async (page: Page): Promise<Record<string, AxeViolation[]>> => {
  await page.addScriptTag({ path: AXE_PATH });
  const found: Record<string, AxeViolation[]> = {};
  for (const viewport of [PHONE, DESKTOP]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme });
      found[`${viewport.width}px ${colorScheme}`] = await page.evaluate<AxeViolation[]>(`(async () => {
        const result = await axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} } });
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: v.nodes.map((node) => node.target.join(' ')),
        }));
      })()`);
    }
  }
  return found;
};

/** What axeViolationsEverywhere returns for a page without violations. */
export const NO_VIOLATIONS = { '375px light': [], '375px dark': [], '1280px light': [], '1280px dark': [] };

/**
 * Where a browser test puts its screenshots: `$PAGES_SCREENSHOT_DIR` when set (to keep them for a look at the
 * design), else `<root>/screenshots`, which goes with the test's temp folder. Created when missing.
 */
export const screenshotFolder = async (root: string): Promise<string> => {
  const folder = process.env.PAGES_SCREENSHOT_DIR ?? join(root, 'screenshots');
  await mkdir(folder, { recursive: true });
  return folder;
};

/** Full-page screenshots of `page` on a phone and a desktop: `<name>-phone.png` and `<name>-desktop.png`. */
export const screenshotPhoneAndDesktop = async (page: Page, folder: string, name: string): Promise<void> => {
  for (const [viewport, label] of [
    [PHONE, 'phone'],
    [DESKTOP, 'desktop'],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(folder, `${name}-${label}.png`), fullPage: true });
  }
};
