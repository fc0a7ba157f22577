import { type ParsedMail, simpleParser } from 'mailparser';
import { type DefaultTreeAdapterTypes, parse } from 'parse5';
import { describe, expect, it } from 'vitest';
import type { DigestPost } from '../../../functions/core/digest/digest-content.ts';
import { ConfigError, FeedmailError } from '../../../functions/core/errors.ts';
import { buildConfirmationMail, compileConfirmationMail } from '../../../functions/core/mail/confirmation-mail.ts';
import {
  buildDigestMessage,
  type CompiledDigest,
  compileDigestMail,
  DIGEST_TEMPLATE,
  digestListId,
  digestSubject,
  HTML_BUDGET_BYTES,
  POST_CARD,
} from '../../../functions/core/mail/digest-mail.ts';
import type { SiteConfig } from '../../../functions/core/types.ts';
import {
  loadMailTemplates,
  makeDigest,
  makeDigestPost,
  makeDigestSite,
  makePostHtml,
} from '../../support/digest-fixtures.ts';
import { checkSpam, describeRules, SPAM_SKIP_REASON, SPAM_THRESHOLD, skipSpamTests } from '../../support/spam-check.ts';

/*
 * The digest end to end in core: the real templates/mail/ files, compiled for a digest of generated posts,
 * personalised, composed, and read back with mailparser (and parse5 for the HTML) as a mail client would.
 */
const NOW = new Date('2026-11-23T07:00:00.000Z');
const UNSUBSCRIBE_URL = 'https://notes.example/api/unsubscribe?token=eyJwIjoidSJ9.c2ln_-AB&lang=en';
/** The U+2060 WORD JOINER the digest puts between doubled braces of post content. */
const WJ = '\u2060';

const makePosts = (site: SiteConfig, count: number, overrides: (n: number) => Partial<DigestPost> = () => ({})) =>
  Array.from({ length: count }, (_, i) => makeDigestPost(i + 1, site, overrides(i + 1)));

const compile = (site: SiteConfig, posts: DigestPost[], more = 0, files = loadMailTemplates()) =>
  compileDigestMail({ files, site, content: makeDigest(posts, more), now: NOW });

const build = (site: SiteConfig, compiled: CompiledDigest, options: { name?: string; unsubscribeUrl?: string } = {}) =>
  buildDigestMessage({
    site,
    compiled,
    to:
      options.name === undefined ? { address: 'ada@example.org' } : { address: 'ada@example.org', name: options.name },
    unsubscribeUrl: options.unsubscribeUrl ?? UNSUBSCRIBE_URL,
    now: NOW,
    messageId: 'digest-1',
  });

const buildAndParse = async (site: SiteConfig, compiled: CompiledDigest, name?: string): Promise<ParsedMail> =>
  simpleParser(Buffer.from((await build(site, compiled, name === undefined ? {} : { name })).raw));

type Element = DefaultTreeAdapterTypes.Element;
type Node = DefaultTreeAdapterTypes.Node;

/** Every element of an HTML document with its attributes, in document order. */
const elementsOf = (html: string): { tag: string; attrs: Record<string, string> }[] => {
  const found: { tag: string; attrs: Record<string, string> }[] = [];
  const walk = (node: Node): void => {
    if ('tagName' in node) {
      const element = node as Element;
      found.push({ tag: element.tagName, attrs: Object.fromEntries(element.attrs.map((a) => [a.name, a.value])) });
    }
    if ('childNodes' in node) for (const child of node.childNodes) walk(child);
  };
  walk(parse(html));
  return found;
};

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

/** A header line as it was sent, unfolded (mailparser folds List-* headers into one object). */
const headerLine = (mail: ParsedMail, key: string): string | undefined =>
  mail.headerLines.find((header) => header.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');

describe('digestSubject', () => {
  const titled = (site: SiteConfig, titles: string[]) =>
    titles.map((title, i) => makeDigestPost(i + 1, site, { title }));

  it.each([
    ['one post: its title', ['Why we moved to SQLite'], 0, 'Why we moved to SQLite'],
    ['three posts', ['Why we moved to SQLite', 'B', 'C'], 0, 'Why we moved to SQLite and 2 more from Field Notes'],
    [
      'posts held back count too',
      ['Why we moved to SQLite', 'B'],
      5,
      'Why we moved to SQLite and 6 more from Field Notes',
    ],
    [
      'a long first title, cut at a word',
      [`Why we moved ${'everything '.repeat(12)}to SQLite`, 'B', 'C'],
      0,
      'Why we moved everything everything everything… and 2 more from Field Notes',
    ],
  ])('reads %s', (_case, titles, more, subject) => {
    // Prepare
    const site = makeDigestSite();

    // Act
    const result = digestSubject(site, makeDigest(titled(site, titles), more));

    // Assess
    expect(result).toBe(subject);
    expect([...result].length).toBeLessThanOrEqual(78);
  });

  it('leaves out a long site title rather than the post title', () => {
    // Prepare
    const site = makeDigestSite({ title: 'The Quarterly Review of Small and Durable Software Engineering' });

    // Act
    const result = digestSubject(site, makeDigest(titled(site, ['Why we moved to SQLite', 'B', 'C'])));

    // Assess
    expect(result).toBe('Why we moved to SQLite and 2 more');
  });
});

describe('compileDigestMail', () => {
  it.each([
    ['1 post', 1, 1, 'full'],
    ['3 posts', 3, 1, 'full'],
    ['10 realistic posts', 10, 1, 'full'],
    ['40 long posts', 40, 3, 'excerpts'],
    ['50 long posts, the most digest.maxPosts allows', 50, 3, 'excerpts'],
  ] as const)('compiles a digest of %s within the budget', async (label, n, scale, mode) => {
    // Prepare
    const site = makeDigestSite();
    const posts = makePosts(site, n, (i) => ({
      html: makePostHtml(i, new URL(`posts/post-${i}/`, site.baseUrl).href, scale),
    }));

    // Act
    const compiled = await compile(site, posts);

    // Assess
    console.info(`digest of ${label}: ${compiled.mode}, ${compiled.htmlBytes} bytes of HTML`);
    expect(compiled.mode).toBe(mode);
    expect(compiled.htmlBytes).toBeLessThanOrEqual(HTML_BUDGET_BYTES);
    expect(compiled.placeholders).toEqual(['recipientName', 'unsubscribeUrl']);
    for (const post of posts) {
      expect(compiled.html).toContain(`<a href="${post.url}"`);
      expect(compiled.text).toContain(`${post.title}\n[${post.url}]`);
    }
    expect(count(compiled.html, '>Read more</a>')).toBe(mode === 'full' ? 0 : n);
    expect(compiled.text.includes('const queue = new Queue({ concurrency: 4 });\nfor (const job')).toBe(
      mode === 'full',
    );
  });

  it('falls back to summaries when the excerpts before <!--more--> are long too', async () => {
    // Prepare
    const site = makeDigestSite();
    const posts = makePosts(site, 40, (i) => ({
      html: makePostHtml(i, site.baseUrl, 3),
      excerptHtml: makePostHtml(i, site.baseUrl, 2),
    }));

    // Act
    const compiled = await compile(site, posts);

    // Assess
    expect(compiled.mode).toBe('excerpts');
    expect(compiled.htmlBytes).toBeLessThanOrEqual(HTML_BUDGET_BYTES);
    expect(compiled.text).toContain(posts[39]?.summary.slice(0, 40));
  });

  it('keeps the paragraphs of a summary apart when it shows summaries', async () => {
    // Prepare
    const site = makeDigestSite();
    const posts = makePosts(site, 40, (i) => ({
      html: makePostHtml(i, site.baseUrl, 3),
      excerptHtml: makePostHtml(i, site.baseUrl, 2),
      summary: `First paragraph of post ${i}, ending here.\n\nSecond paragraph of post ${i}.`,
    }));

    // Act
    const compiled = await compile(site, posts);

    // Assess
    expect(compiled.html).toContain('<p>First paragraph of post 1, ending here.</p><p>Second paragraph of post 1.</p>');
    expect(compiled.text).toContain('First paragraph of post 1, ending here.\n\nSecond paragraph of post 1.');
  });

  it('fails clearly when even summaries do not fit', async () => {
    // Prepare
    const site = makeDigestSite();
    const posts = makePosts(site, 50, (i) => ({ title: `Post ${i} ${'with a very long title '.repeat(80)}` }));

    // Act / Assess
    await expect(compile(site, posts)).rejects.toThrow(/bytes of HTML even with summaries only.*digest\.maxPosts/);
  });

  it.each([
    [0, undefined],
    [1, '…and 1 more new post [https://notes.example/archive/] on the site.'],
    [7, '…and 7 more new posts [https://notes.example/archive/] on the site.'],
  ])('with %i more posts than it shows says so, linking to the archive', async (more, line) => {
    // Prepare
    const site = makeDigestSite();

    // Act
    const compiled = await compile(site, makePosts(site, 2), more);

    // Assess
    if (line === undefined) expect(compiled.text).not.toContain('more new post');
    else expect(compiled.text.replace(/\s+/g, ' ')).toContain(line);
  });

  it('hides a preheader of whole words from the summaries, and keeps it out of the text part', async () => {
    // Prepare
    const site = makeDigestSite();
    const posts = makePosts(site, 3, (i) => ({
      summary: `Teaser ${i}: a short look at queues, caches and the numbers.`,
    }));

    // Act
    const compiled = await compile(site, posts);

    // Assess
    const preheader = /<div style="display:none;[^"]*">([^<]*)<\/div>/.exec(compiled.html)?.[1] ?? '';
    expect([...preheader].length).toBeLessThanOrEqual(120);
    expect(preheader).toMatch(/^\S.{60,}\S…$/);
    expect(`${posts[0]?.summary} ${posts[1]?.summary}`).toContain(preheader.slice(0, -1));
    expect(compiled.text).not.toContain('Teaser');
  });

  it('dates posts in the site language and time zone and names every author', async () => {
    // Prepare
    const site = makeDigestSite({ language: 'de-DE', timeZone: 'America/Los_Angeles' });
    const post = makeDigestPost(1, site, { date: '2026-11-14T03:00:00.000Z' });

    // Act
    const compiled = await compile(site, [post]);

    // Assess
    expect(compiled.text).toContain('13. November 2026 · by Ada Example und Grace Sample');
    expect(compiled.html).toMatch(/<html[^>]* lang="de-DE" dir="ltr"/);
  });

  it('keeps small images at their size, fits wide ones to the column, gives each an alt, and links players', async () => {
    // Prepare
    const site = makeDigestSite();
    const html = [
      '<p><img src="https://notes.example/wide.png" width="1600" height="900" /></p>',
      '<p><img src="https://notes.example/icon.png" alt="icon" width="64" height="64" /></p>',
      '<p><img src="https://notes.example/unsized.png" alt="A badge" /></p>',
      '<p><img src="https://notes.example/tall.png" alt="Only a height" height="300" /></p>',
      '<iframe src="https://www.youtube-nocookie.com/embed/xyz" width="560" height="315" loading="lazy"></iframe>',
      '<pre><code>line one\n  line two</code></pre>',
    ].join('\n');

    // Act
    const compiled = await compile(site, [makeDigestPost(1, site, { html, image: 'https://notes.example/wide.png' })]);

    // Assess
    const images = elementsOf(compiled.html).filter((e) => e.tag === 'img');
    expect(images.map((img) => [img.attrs.src, img.attrs.width, img.attrs.alt])).toEqual([
      ['https://notes.example/wide.png', '552', ''],
      ['https://notes.example/icon.png', '64', 'icon'],
      // No width to go by: the image's own size, never wider than the column, instead of a 552px stretch.
      ['https://notes.example/unsized.png', undefined, 'A badge'],
      ['https://notes.example/tall.png', undefined, 'Only a height'],
    ]);
    for (const img of images) expect(img.attrs.style).toMatch(/max-width: 100%; height: auto/);
    expect(images.find((img) => img.attrs.src?.endsWith('tall.png'))?.attrs.height).toBe('auto');
    expect(compiled.html).not.toContain('<iframe');
    expect(compiled.text).toContain('https://www.youtube-nocookie.com/embed/xyz');
    expect(compiled.text).toContain('line one\n  line two');
  });

  it('opens <details> for mail apps that cannot, pads table cells, and keeps struck-out text struck out', async () => {
    // Prepare
    const site = makeDigestSite();
    const html = [
      '<details><summary>How we <em>measured</em></summary><p>Ten runs on two cores.</p></details>',
      '<table><thead><tr><th>Region</th><th>p99</th></tr></thead><tbody><tr><td>eu-central-1</td><td>180 ms</td></tr></tbody></table>',
      '<p>The plan was <del>a rewrite</del> a patch, <s>twice</s> once.</p>',
    ].join('\n');

    // Act
    const compiled = await compile(site, [makeDigestPost(1, site, { html })]);

    // Assess
    expect(compiled.html).not.toMatch(/<\/?(details|summary)\b/);
    expect(compiled.html).toContain('<p><strong>How we <em>measured</em></strong></p><p>Ten runs on two cores.</p>');
    // The post's own cells: MJML's layout cells have no border.
    const cells = elementsOf(compiled.html).filter(
      (e) => (e.tag === 'td' || e.tag === 'th') && e.attrs.style?.includes('border: 1px'),
    );
    expect(cells.length).toBe(4);
    for (const cell of cells) expect(cell.attrs.style).toContain('padding: 6px 12px');
    expect(compiled.text).toContain('How we measured\n\nTen runs on two cores.');
    expect(compiled.text).toMatch(/Region {2,}p99\neu-central-1 {2,}180 ms/);
    expect(compiled.text).toContain('The plan was ~~a rewrite~~ a patch, ~~twice~~ once.');
  });

  it('shows the lead image on the card when the body does not already', async () => {
    // Prepare
    const site = makeDigestSite();
    const post = makeDigestPost(1, site, { html: '<p>Words only.</p>', image: 'https://notes.example/lead.png' });

    // Act
    const compiled = await compile(site, [post]);

    // Assess
    const images = elementsOf(compiled.html).filter((e) => e.tag === 'img');
    expect(images.map((img) => img.attrs)).toEqual([
      expect.objectContaining({ src: 'https://notes.example/lead.png', width: '552', alt: post.title }),
    ]);
  });
});

describe('buildDigestMessage', () => {
  it('addresses list mail with every header a mail app and Gmail need', async () => {
    // Prepare
    const site = makeDigestSite({ title: 'Café ☕ Notes' });
    const posts = [makeDigestPost(1, site, { title: 'Über Größe — naïve café ☕ notes' })];
    const compiled = await compile(site, posts);

    // Act
    const mail = await buildAndParse(site, compiled, 'Ada');

    // Assess
    expect(mail.from?.value).toEqual([{ address: 'news@notes.example', name: 'Field Notes' }]);
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value).toEqual([{ address: 'ada@example.org', name: 'Ada' }]);
    expect(mail.replyTo?.value[0]?.address).toBe('editor@notes.example');
    expect(mail.subject).toBe('Über Größe — naïve café ☕ notes');
    expect(mail.date?.toISOString()).toBe(NOW.toISOString());
    expect(mail.messageId).toBe('<digest-1@notes.example>');
    expect(mail.headers.get('mime-version')).toBe('1.0');
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(headerLine(mail, 'list-unsubscribe')).toBe(
      `List-Unsubscribe: <${UNSUBSCRIBE_URL}>, <mailto:editor@notes.example?subject=unsubscribe>`,
    );
    expect(headerLine(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    // The list name is the site title, MIME-encoded (RFC 2047) as it is not ASCII.
    expect(headerLine(mail, 'list-id')).toBe('List-ID: =?UTF-8?Q?Caf=C3=A9_=E2=98=95_Notes?= <digest.notes.example>');
    expect(mail.text).toContain('Hello Ada, here is what was published');
    expect(mail.html).toContain('Hello Ada, here is what was published');
  });

  it('links only to absolute http(s) and mailto URLs and gives every image a width and an alt', async () => {
    // Prepare
    const site = makeDigestSite();
    const compiled = await compile(site, makePosts(site, 10));

    // Act
    const mail = await buildAndParse(site, compiled);

    // Assess
    const elements = elementsOf(mail.html || '');
    const links = elements.filter((e) => e.tag === 'a').map((a) => a.attrs.href ?? '(none)');
    expect(links.length).toBeGreaterThan(30);
    expect(links.filter((href) => !/^(https?:\/\/[^/]+\/|mailto:)/.test(href))).toEqual([]);
    const images = elements.filter((e) => e.tag === 'img');
    expect(images.length).toBe(10);
    expect(images.filter((img) => !/^\d+$/.test(img.attrs.width ?? '') || img.attrs.alt === undefined)).toEqual([]);
  });

  it('puts the postal address and the unsubscribe link in both parts, and no other copy of the link', async () => {
    // Prepare
    const site = makeDigestSite();
    const compiled = await compile(site, makePosts(site, 3));

    // Act
    const mail = await buildAndParse(site, compiled);

    // Assess
    const address = 'Field Notes, 1 Sample Street, 10115 Berlin, Germany';
    expect(mail.html).toContain(address);
    expect(mail.text).toContain(address);
    expect(count(mail.html || '', `href="${UNSUBSCRIBE_URL.replace(/&/g, '&amp;')}"`)).toBe(1);
    expect(count(mail.text || '', UNSUBSCRIBE_URL)).toBe(1);
    expect(mail.text).toMatch(/Unsubscribe\s+\[https:\/\/notes\.example\/api\/unsubscribe\?token=/);
    expect(mail.text).toContain('Hello there,');
  });

  it("accepts the local run's plain-http unsubscribe URL", async () => {
    // Prepare
    const site = makeDigestSite({ baseUrl: 'http://localhost:8787/' });
    const compiled = await compile(site, makePosts(site, 1));

    // Act
    const message = await build(site, compiled, { unsubscribeUrl: 'http://localhost:8787/api/unsubscribe?token=a.b' });

    // Assess
    const mail = await simpleParser(Buffer.from(message.raw));
    expect(headerLine(mail, 'list-unsubscribe')).toMatch(
      /^List-Unsubscribe: <http:\/\/localhost:8787\/api\/unsubscribe\?token=a\.b>/,
    );
    expect(digestListId(site)).toEqual({ name: 'Field Notes', id: 'digest.localhost' });
  });
});

describe('hostile post content', () => {
  const hostile = (site: SiteConfig): DigestPost =>
    makeDigestPost(1, site, {
      title: 'Breaking </mj-text><mj-raw><script>alert(1)</script></mj-raw> {{unsubscribeUrl}}',
      summary: 'Hi {{recipientName}}',
      html: [
        '<p>Template talk: {{unsubscribeUrl}}, {{recipientName}}, {{ siteTitle }}, {{{triple}}} and }} alone.</p>',
        '</mj-text><mj-raw><script>alert(2)</script></mj-raw><mj-text>',
        '<p><a href="https://evil.example/?u={{unsubscribeUrl}}">prize</a></p>',
        '<!-- an unclosed comment',
      ].join('\n'),
      image: 'https://notes.example/{{unsubscribeUrl}}.png',
    });

  it('is neutralised at compile time and the mail still personalises correctly', async () => {
    // Prepare
    const site = makeDigestSite();
    const compiled = await compile(site, [hostile(site), makeDigestPost(2, site)]);

    // Act
    const mail = await buildAndParse(site, compiled, 'Ada');

    // Assess
    const html = mail.html || '';
    const text = mail.text || '';
    expect(compiled.placeholders).toEqual(['recipientName', 'unsubscribeUrl']);
    expect(html).not.toMatch(/<script|<mj-/i);
    expect(html).toContain('&lt;/mj-text&gt;&lt;mj-raw&gt;&lt;script&gt;alert(1)');
    // The recipient's link and name go where the template puts them, and nowhere a post does.
    expect(count(html, 'token=eyJwIjoidSJ9')).toBe(1);
    expect(count(text, 'token=eyJwIjoidSJ9')).toBe(1);
    expect(count(text, 'Hello Ada,')).toBe(1);
    expect(`${html}${text}`).not.toContain('Hi Ada');
    expect(text).toContain(`Template talk: {${WJ}{unsubscribeUrl}${WJ}}, {${WJ}{recipientName}${WJ}}`);
    expect(text).toContain(`{${WJ}{${WJ}{triple}${WJ}}${WJ}} and }${WJ}} alone.`);
    expect(html).toContain('https://evil.example/?u=');
    expect(html).not.toMatch(/evil\.example\/\?u=https/);
    // The second post and the footer are still there: nothing swallowed the rest of the mail.
    expect(text).toContain('Post number 2');
    expect(text).toContain('Unsubscribe');
  });
});

describe('digest template errors', () => {
  /** Templates with one line of `file` replaced; returns them and the 1-based number of that line. */
  const editLine = (file: string, find: string, replace: (line: string) => string) => {
    const files = loadMailTemplates();
    const lines = (files[file] ?? '').split('\n');
    const index = lines.findIndex((line) => line.includes(find));
    lines[index] = replace(lines[index] ?? '');
    return { files: { ...files, [file]: lines.join('\n') }, line: index + 1 };
  };

  it.each([
    [POST_CARD, '{{postTitle}}</a>', (l: string) => l.replace('{{postTitle}}', '{{postTitel}}')],
    [DIGEST_TEMPLATE, '{{digestDate}}', (l: string) => l.replace('{{digestDate}}', '{{digestDay}}')],
  ])('names %s and the line of an unknown placeholder', async (file, find, replace) => {
    // Prepare
    const site = makeDigestSite();
    const { files, line } = editLine(file, find, replace);

    // Act / Assess
    await expect(compile(site, makePosts(site, 3), 0, files)).rejects.toThrow(
      new RegExp(`${file.replace('.', '\\.')}:${line}: unknown placeholder`),
    );
  });

  it('names the right line of the post card below a multi-line post body', async () => {
    // Prepare
    const site = makeDigestSite();
    const { files, line } = editLine(POST_CARD, '</mj-text>', (l) => `${l}\n<mj-txt>x</mj-txt>`);

    // Act / Assess
    await expect(compile(site, makePosts(site, 2), 0, files)).rejects.toThrow(
      new RegExp(`partials/post-card\\.mjml:${line + 1}: Element mj-txt doesn't exist`),
    );
  });

  it('refuses templates that lose the unsubscribe link', async () => {
    // Prepare
    const site = makeDigestSite();
    const files = loadMailTemplates();
    files['partials/list-footer.mjml'] = (files['partials/list-footer.mjml'] ?? '').replaceAll(
      '{{unsubscribeUrl}}',
      '#',
    );

    // Act / Assess
    await expect(compile(site, makePosts(site, 1), 0, files)).rejects.toThrow(ConfigError);
  });

  it('refuses a digest without posts', async () => {
    // Act / Assess
    await expect(compile(makeDigestSite(), [])).rejects.toThrow(FeedmailError);
  });
});

describe('digest personalisation', () => {
  // How fast personalising is (messages a second) is a figure of `npm run bench`, never a test's threshold.
  it('compiles once, then gives every recipient the same mail but for their own address, name and link', async () => {
    // Prepare
    const site = makeDigestSite();
    const compiled = await compile(site, makePosts(site, 10));
    const recipients = Array.from({ length: 12 }, (_, i) => ({
      address: `reader${i}@example.org`,
      name: `Reader ${String.fromCharCode(65 + i)}`,
      link: `https://notes.example/api/unsubscribe?token=reader-${i}`,
    }));

    // Act
    const mails = await Promise.all(
      recipients.map(async ({ address, name, link }) =>
        simpleParser(
          Buffer.from(
            (await buildDigestMessage({ site, compiled, to: { address, name }, unsubscribeUrl: link, now: NOW })).raw,
          ),
        ),
      ),
    );

    // Assess
    const generic = mails.map((mail, i) => {
      const { address, name, link } = recipients[i] as (typeof recipients)[number];
      expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain(address);
      expect(mail.html).toContain(link);
      expect(mail.text).toContain(link);
      const general = (part: string) =>
        part.replaceAll(link, '{link}').replaceAll(address, '{address}').replaceAll(name, '{name}');
      return { html: general(String(mail.html)), text: general(mail.text ?? '') };
    });
    expect(new Set(generic.map((parts) => JSON.stringify(parts))).size).toBe(1);
  });
});

// Skipped only on a developer machine without SpamAssassin (the reason is the suite's name then); CI installs it.
describe.skipIf(skipSpamTests)(skipSpamTests ? SPAM_SKIP_REASON : 'SpamAssassin on the built mail', () => {
  it('scores each digest and the confirmation mail below the threshold, with no structural rule firing', async () => {
    // Prepare
    const site = makeDigestSite();
    const digests = await Promise.all([
      compile(site, makePosts(site, 1)),
      compile(site, makePosts(site, 10)),
      compile(
        site,
        makePosts(site, 40, (i) => ({ html: makePostHtml(i, site.baseUrl, 3) })),
      ),
    ]);
    const messages = await Promise.all(digests.map((compiled) => build(site, compiled, { name: 'Ada' })));
    const confirmation = await buildConfirmationMail({
      site,
      compiled: await compileConfirmationMail(loadMailTemplates(), site),
      to: { address: 'ada@example.org' },
      confirmUrl: 'https://notes.example/api/confirm?token=eyJwIjoiYyJ9.c2ln',
      now: NOW,
    });

    // Act
    const reports = await Promise.all([
      ...messages.map((message) => checkSpam(message.raw)),
      checkSpam(confirmation.raw),
    ]);

    // Assess
    const names = ['1-post digest', '10-post digest', '40-post digest (excerpts)', 'confirmation mail'];
    reports.forEach((report, i) => {
      console.info(`SpamAssassin, ${names[i]}: ${describeRules(report)}`);
      expect(report.score, `${names[i]}: ${describeRules(report)}`).toBeLessThan(SPAM_THRESHOLD);
      expect(report.unexpected, `${names[i]}: ${describeRules(report)}`).toEqual([]);
    });
  }, 60_000);
});
