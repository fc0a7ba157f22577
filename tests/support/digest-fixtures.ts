/**
 * Digest inputs for the mail tests: a site, the real templates/mail/ files, and posts whose bodies look like what
 * the publisher produces from Markdown (sanitized, every URL absolute): paragraphs, a list, an image, a code block.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DigestContent, DigestPost } from '../../functions/core/digest/digest-content.ts';
import { defaultDigestConfig } from '../../functions/core/site-config.ts';
import type { SiteConfig } from '../../functions/core/types.ts';

const templatesDir = fileURLToPath(new URL('../../templates/mail/', import.meta.url));

/** templates/mail/ as the map the compiler takes (the Lambda reads the same folder beside its handler). */
export const loadMailTemplates = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(templatesDir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.mjml'))
      .map((name) => [name.split('\\').join('/'), readFileSync(templatesDir + name, 'utf8')]),
  );

export const makeDigestSite = (overrides: Partial<SiteConfig> = {}): SiteConfig => ({
  digest: defaultDigestConfig('Europe/Berlin'),
  title: 'Field Notes',
  description: 'Short essays on building small, durable software.',
  baseUrl: 'https://notes.example/',
  language: 'en-GB',
  feedSize: 20,
  pageSize: 10,
  timeZone: 'Europe/Berlin',
  maxPostBytes: 256 * 1024,
  iframeHosts: [],
  mail: {
    from: 'news@notes.example',
    fromName: 'Field Notes',
    replyTo: 'editor@notes.example',
    postalAddress: 'Field Notes, 1 Sample Street, 10115 Berlin, Germany',
  },
  ...overrides,
});

const WORDS = (
  'the build runs on every push and a small queue keeps the workers busy while the cache stays warm we measured ' +
  'latency before and after the change and found that most requests finished well under a second readers asked ' +
  'why the index grew so quickly so this post walks through the numbers the trade-offs and what we would do ' +
  'differently next time with a smaller team and a tighter budget'
).split(' ');

/** Deterministic prose: the same seed gives the same words, so sizes are stable from run to run. */
const prose = (seed: number, words: number): string => {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[(seed * 7 + i * 13) % WORDS.length] ?? 'word');
  const text = out.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
};

/**
 * The sanitized HTML of a plausible post, about 3 to 6 KB: paragraphs, a link, a list, an image, a code block.
 * `scale` multiplies the paragraphs (1 gives 3.5 to 5.5 KB).
 */
export const makePostHtml = (n: number, base: string, scale = 1): string => {
  const paragraphs = Array.from(
    { length: (5 + (n % 4)) * scale },
    (_, i) => `<p>${prose(n + i, 70 + ((n + i) % 5) * 8)}</p>`,
  );
  return [
    paragraphs[0],
    `<p>See <a href="${base}notes/">the earlier notes</a> and <a href="https://example.org/spec" rel="noopener">the spec</a>.</p>`,
    `<h2 id="setup">Setup</h2>`,
    '<ul>\n<li>one queue per tenant</li>\n<li>a warm cache</li>\n<li>back-off on <code>Throttling</code></li>\n</ul>',
    `<p><img src="${base}chart-${n}.png" alt="Latency before and after" width="1200" height="600" /></p>`,
    ...paragraphs.slice(1, -1),
    '<pre><code class="language-ts">const queue = new Queue({ concurrency: 4 });\nfor (const job of jobs) {\n  await queue.add(() =&gt; run(job));\n}\n</code></pre>',
    paragraphs.at(-1),
  ].join('\n');
};

export const makeDigestPost = (n: number, site: SiteConfig, overrides: Partial<DigestPost> = {}): DigestPost => {
  const url = new URL(`posts/post-${n}/`, site.baseUrl).href;
  return {
    feedId: `tag:notes.example,2026:post-${n}`,
    sourcePath: `post-${n}.md`,
    title: `Post number ${n}: what we learned running queues`,
    url,
    date: new Date(Date.UTC(2026, 10, 10 + (n % 10), 9, 30)).toISOString(),
    summary: prose(n, 40),
    html: makePostHtml(n, url),
    image: `${url}chart-${n}.png`,
    authors: [{ name: 'Ada Example' }, { name: 'Grace Sample' }],
    ...overrides,
  };
};

export const makeDigest = (posts: DigestPost[], more = 0): DigestContent => ({
  id: '2026-11-23T07:00:00Z',
  posts,
  more,
});
