import { readFileSync } from 'node:fs';
import { type ParsedMail, simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/core/errors.ts';
import { buildConfirmationMail, compileConfirmationMail } from '../../../functions/core/mail/confirmation-mail.ts';
import { buildWelcomeMail, compileWelcomeMail, sendsWelcomeMail } from '../../../functions/core/mail/welcome-mail.ts';
import { defaultDigestConfig, parseSiteConfig } from '../../../functions/core/site-config.ts';
import type { SiteConfig } from '../../../functions/core/types.ts';

/*
 * The confirmation mail end to end in core: the real templates/mail/ files, compiled for a site with a non-ASCII
 * title, personalised for a hostile recipient name, composed, and read back with mailparser as a mail client would.
 */
const PARTS = ['confirm.mjml', 'partials/head.mjml', 'partials/header.mjml', 'partials/footer.mjml'];
const templates = (): Record<string, string> =>
  Object.fromEntries(
    PARTS.map((name) => [name, readFileSync(new URL(`../../../templates/mail/${name}`, import.meta.url), 'utf8')]),
  );

const makeSite = (overrides: Partial<SiteConfig> = {}): SiteConfig => ({
  digest: defaultDigestConfig(),
  title: 'Café ☕ Notes',
  description: '',
  baseUrl: 'https://notes.example/',
  language: 'fr',
  feedSize: 20,
  pageSize: 10,
  timeZone: 'Europe/Paris',
  maxPostBytes: 256 * 1024,
  iframeHosts: [],
  mail: {
    from: 'news@notes.example',
    fromName: 'Café ☕ Notes',
    replyTo: 'ada@notes.example',
    postalAddress: 'Café Notes, 1 rue Exemple, 75001 Paris',
  },
  ...overrides,
});

const CONFIRM_URL = 'https://notes.example/subscribe/confirm?token=eyJhIjoxfQ.c2ln_-AB&lang=fr';
const NOW = new Date('2026-11-14T09:30:00.000Z');

const buildAndParse = async (site: SiteConfig, name?: string): Promise<{ mail: ParsedMail; rawSize: number }> => {
  const compiled = await compileConfirmationMail(templates(), site);
  const message = await buildConfirmationMail({
    site,
    compiled,
    to: name === undefined ? { address: 'ada@example.org' } : { address: 'ada@example.org', name },
    confirmUrl: CONFIRM_URL,
    now: NOW,
    messageId: 'confirm-1',
  });
  expect(message).toMatchObject({ from: 'news@notes.example', to: 'ada@example.org' });
  return { mail: await simpleParser(Buffer.from(message.raw)), rawSize: message.raw.byteLength };
};

describe('buildConfirmationMail', () => {
  it('addresses the message with encoded non-ASCII headers, the Date and Message-ID given', async () => {
    // Act
    const { mail } = await buildAndParse(makeSite(), 'Ada');

    // Assess
    expect(mail.from?.value).toEqual([{ address: 'news@notes.example', name: 'Café ☕ Notes' }]);
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value).toEqual([{ address: 'ada@example.org', name: 'Ada' }]);
    expect(mail.replyTo?.value[0]?.address).toBe('ada@notes.example');
    expect(mail.subject).toBe('Confirm your subscription to Café ☕ Notes');
    expect(mail.date?.toISOString()).toBe(NOW.toISOString());
    expect(mail.messageId).toBe('<confirm-1@notes.example>');
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
  });

  it('carries the confirm link with its token intact, and the postal address, in both parts', async () => {
    // Act
    const { mail } = await buildAndParse(makeSite());

    // Assess
    const htmlUrl = CONFIRM_URL.replace(/&/g, '&amp;');
    expect(mail.html).toContain(`href="${htmlUrl}"`);
    expect(mail.html).toContain('Café Notes, 1 rue Exemple, 75001 Paris');
    expect(mail.text).toContain(CONFIRM_URL);
    expect(mail.text).toContain('Café Notes, 1 rue Exemple, 75001 Paris');
    expect(mail.text).toContain("If it wasn't you, ignore this mail");
    expect(mail.html).toMatch(/<html[^>]* lang="fr" dir="ltr"/);
  });

  it('greets by name, escaped in the HTML, or falls back to "there"', async () => {
    // Act
    const hostile = await buildAndParse(makeSite(), '<script>alert(1)</script>');
    const anonymous = await buildAndParse(makeSite());

    // Assess
    expect(hostile.mail.html).not.toContain('<script>');
    expect(hostile.mail.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(hostile.mail.text).toContain('Hello <script>alert(1)</script>,');
    expect(anonymous.mail.text).toContain('Hello there,');
  });

  it('flattens a recipient name with line breaks instead of letting it add a header', async () => {
    // Act
    const { mail } = await buildAndParse(makeSite(), 'Ada\r\nBcc: eve@example.org');

    // Assess
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value).toEqual([
      { address: 'ada@example.org', name: 'Ada Bcc: eve@example.org' },
    ]);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.text).toContain('Hello Ada Bcc: eve@example.org,');
  });

  it('stays far below the 102 KB where Gmail clips a message', async () => {
    // Act
    const { mail, rawSize } = await buildAndParse(makeSite(), 'Ada');

    // Assess
    const htmlBytes = Buffer.byteLength(mail.html || '');
    expect(htmlBytes).toBeLessThan(30 * 1024);
    expect(rawSize).toBeLessThan(60 * 1024);
  });

  it('fails at compile time when the template has lost its confirm link', async () => {
    // Prepare
    const files = templates();
    files['confirm.mjml'] = (files['confirm.mjml'] ?? '').replaceAll('{{confirmUrl}}', '');

    // Act / Assess
    await expect(compileConfirmationMail(files, makeSite())).rejects.toThrow(/must contain \{\{confirmUrl\}\}/);
  });

  it('needs the mail section of the site config', async () => {
    // Prepare
    const { mail: _none, ...site } = makeSite();

    // Act / Assess
    await expect(compileConfirmationMail(templates(), site)).rejects.toThrow(ConfigError);
  });
});

describe('buildWelcomeMail', () => {
  const WELCOME_PARTS = [
    'welcome.mjml',
    'partials/head.mjml',
    'partials/header.mjml',
    'partials/list-footer.mjml',
    'partials/footer.mjml',
  ];
  const welcomeTemplates = (): Record<string, string> =>
    Object.fromEntries(
      WELCOME_PARTS.map((name) => [
        name,
        readFileSync(new URL(`../../../templates/mail/${name}`, import.meta.url), 'utf8'),
      ]),
    );
  const UNSUBSCRIBE_URL = 'https://notes.example/api/unsubscribe?token=eyJhIjoxfQ.c2ln_-AB';

  const buildWelcome = async (site: SiteConfig, name?: string): Promise<ParsedMail> => {
    const compiled = await compileWelcomeMail(welcomeTemplates(), site);
    const message = await buildWelcomeMail({
      site,
      compiled,
      to: name === undefined ? { address: 'ada@example.org' } : { address: 'ada@example.org', name },
      unsubscribeUrl: UNSUBSCRIBE_URL,
      now: NOW,
      messageId: 'welcome-1',
    });
    expect(message).toMatchObject({ from: 'news@notes.example', to: 'ada@example.org' });
    return simpleParser(Buffer.from(message.raw));
  };

  it('carries the one-click List-Unsubscribe headers and the List-Id a digest carries', async () => {
    // Act
    const mail = await buildWelcome(makeSite());

    // Assess
    const line = (key: string) =>
      mail.headerLines.filter((h) => h.key === key).map((h) => h.line.replace(/\r\n\s+/g, ' '));
    expect(line('list-unsubscribe-post')).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
    expect(line('list-unsubscribe')).toEqual([
      `List-Unsubscribe: <${UNSUBSCRIBE_URL}>, <mailto:ada@notes.example?subject=unsubscribe>`,
    ]);
    expect(line('list-id')).toHaveLength(1);
    expect(line('list-id')[0]).toContain('<digest.notes.example>');
    expect(mail.subject).toBe('Welcome to Café ☕ Notes');
  });

  it('has a text part and an HTML part, both greeting the reader and linking the way out', async () => {
    // Act
    const mail = await buildWelcome(makeSite(), 'Ada <b>');

    // Assess
    expect(mail.text).toContain('Hello Ada <b>,');
    expect(mail.text).toContain(UNSUBSCRIBE_URL);
    expect(mail.html).toContain('Hello Ada &lt;b&gt;,');
    expect(mail.html).toContain(`href="${UNSUBSCRIBE_URL}"`);
    expect(mail.html).toContain('1 rue Exemple');
  });

  it('refuses a welcome template without an unsubscribe link at start', async () => {
    // Prepare
    const files = { ...welcomeTemplates(), 'partials/list-footer.mjml': '<mj-include path="partials/footer.mjml" />' };

    // Act
    const compiling = compileWelcomeMail(files, makeSite());

    // Assess
    await expect(compiling).rejects.toThrow(/welcome\.mjml must contain \{\{unsubscribeUrl\}\}/);
  });

  it.each([
    [undefined, true],
    [true, true],
    [false, false],
  ])('sends a welcome mail when mail.welcomeMail is %s: %s', (welcomeMail, expected) => {
    // Prepare
    const site = makeSite();
    const mail = {
      ...(site.mail as NonNullable<SiteConfig['mail']>),
      ...(welcomeMail === undefined ? {} : { welcomeMail }),
    };

    // Act
    const sends = sendsWelcomeMail({ ...site, mail });

    // Assess
    expect(sends).toBe(expected);
  });
});

describe('the welcomeMail switch in site config', () => {
  it('reads "mail": { "welcomeMail": false } and refuses a non-boolean, naming the key', () => {
    // Prepare
    const base = {
      title: 'Notes',
      baseUrl: 'https://notes.example/',
      mail: { from: 'a@notes.example', postalAddress: 'x' },
    };

    // Act
    const off = parseSiteConfig({ ...base, mail: { ...base.mail, welcomeMail: false } });
    const bad = () => parseSiteConfig({ ...base, mail: { ...base.mail, welcomeMail: 'no' } });

    // Assess
    expect(off.mail?.welcomeMail).toBe(false);
    expect(sendsWelcomeMail(parseSiteConfig(base))).toBe(true);
    expect(bad).toThrow(/mail\.welcomeMail/);
  });
});
