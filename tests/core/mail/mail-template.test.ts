import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compileMailTemplate,
  MailTemplateError,
  personalizeMail,
  siteMailVars,
} from '../../../functions/core/mail/mail-template.ts';
import { defaultDigestConfig } from '../../../functions/core/site-config.ts';
import type { SiteConfig } from '../../../functions/core/types.ts';

const templatesDir = fileURLToPath(new URL('../../../templates/mail/', import.meta.url));

/** templates/mail/ as the map the compiler takes (the Lambda reads the same folder beside its handler). */
const loadTemplates = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(templatesDir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.mjml'))
      .map((name) => [name.split('\\').join('/'), readFileSync(templatesDir + name, 'utf8')]),
  );

const siteVars = (overrides: Record<string, string> = {}): Record<string, string> => ({
  siteTitle: 'Field Notes',
  siteUrl: 'https://notes.example/',
  postalAddress: '1 Sample Street, 10115 Berlin',
  language: 'en',
  dir: 'ltr',
  ...overrides,
});

/** A one-file template whose body is `content` inside a column. */
const wrap = (content: string, head = ''): Record<string, string> => ({
  'mail.mjml': `<mjml>\n<mj-head>\n${head}\n</mj-head>\n<mj-body>\n<mj-section>\n<mj-column>\n${content}\n</mj-column>\n</mj-section>\n</mj-body>\n</mjml>\n`,
});

const compile = (files: Record<string, string>, vars = siteVars(), recipientVars = ['confirmUrl', 'recipientName']) =>
  compileMailTemplate({ files, entry: 'mail.mjml', siteVars: vars, recipientVars });

describe('compileMailTemplate on templates/mail/', () => {
  it('compiles confirm.mjml strictly, leaving only the per-recipient placeholders', async () => {
    // Act
    const compiled = await compileMailTemplate({
      files: loadTemplates(),
      entry: 'confirm.mjml',
      siteVars: siteVars(),
      recipientVars: ['confirmUrl', 'recipientName'],
    });

    // Assess
    expect(compiled.placeholders).toEqual(['confirmUrl', 'recipientName']);
    expect(compiled.html).toContain('href="{{confirmUrl}}"');
    expect(compiled.html).toMatch(/<html[^>]* lang="en" dir="ltr"/);
    expect(compiled.html).toContain('role="presentation"');
    expect(compiled.html).not.toContain('<!--  '); // authors' comments stay out of the mail
    expect(compiled.html).not.toContain('fonts.googleapis.com');
    expect(compiled.text).toContain('1 Sample Street, 10115 Berlin');
  });
});

describe('placeholders through MJML', () => {
  it.each([
    ['an mj-button href', '<mj-button href="{{confirmUrl}}">Go</mj-button>', 'href="{{confirmUrl}}"'],
    ['a link href in mj-text', '<mj-text><a href="{{confirmUrl}}">link</a></mj-text>', 'href="{{confirmUrl}}"'],
    ['text', '<mj-text>Hello {{recipientName}}!</mj-text>', 'Hello {{recipientName}}!'],
    [
      'text with a fallback',
      '<mj-text>Hi {{recipientName|dear reader}},</mj-text>',
      'Hi {{recipientName|dear reader}},',
    ],
    ['spaces inside the braces', '<mj-text>{{ confirmUrl }}</mj-text>', '{{ confirmUrl }}'],
    ['an mj-image src', '<mj-image src="{{confirmUrl}}" alt="" />', 'src="{{confirmUrl}}"'],
  ])('keeps a placeholder in %s intact', async (_where, content, expected) => {
    // Act
    const compiled = await compile(wrap(content));

    // Assess
    expect(compiled.html).toContain(expected);
  });

  it('keeps placeholders in the title and the preview line', async () => {
    // Act
    const compiled = await compile(
      wrap('<mj-text>x</mj-text>', '<mj-title>For {{recipientName}}</mj-title><mj-preview>{{confirmUrl}}</mj-preview>'),
    );

    // Assess
    expect(compiled.html).toContain('<title>For {{recipientName}}</title>');
    expect(compiled.html).toMatch(/display:none[^>]*>\{\{confirmUrl\}\}/);
  });

  it('substitutes site values before compiling, HTML-escaped in text and attributes', async () => {
    // Prepare
    const hostile = '"><script>alert(1)</script> & co';

    // Act
    const compiled = await compile(
      wrap(`<mj-text><a href="{{siteUrl}}" title="{{siteTitle}}">{{siteTitle}}</a></mj-text>`),
      siteVars({ siteTitle: hostile }),
    );

    // Assess
    expect(compiled.html).not.toContain('<script>');
    expect(compiled.html).toContain('title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"');
    expect(compiled.text).toContain(hostile);
    expect(compiled.placeholders).toEqual([]);
  });
});

describe('the text part', () => {
  it('shows links as "text [url]", a bare URL once, and wraps prose at 76 columns', async () => {
    // Prepare
    const prose = 'word '.repeat(60);

    // Act
    const compiled = await compile(
      wrap(
        `<mj-text>${prose}</mj-text><mj-button href="{{confirmUrl}}">Confirm</mj-button>` +
          '<mj-text><a href="{{confirmUrl}}">{{confirmUrl}}</a></mj-text><mj-image src="https://notes.example/a.png" alt="A" />',
      ),
    );
    const { text } = personalizeMail(compiled, { confirmUrl: 'https://notes.example/c?t=1', recipientName: '' });

    // Assess
    expect(compiled.text).toContain('Confirm [{{confirmUrl}}]');
    expect(text).toContain('Confirm [https://notes.example/c?t=1]');
    expect(text.split('\n').filter((line) => line === 'https://notes.example/c?t=1')).toHaveLength(1);
    expect(text).not.toContain('a.png');
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(76);
  });

  it('does not split a placeholder whose fallback has spaces', async () => {
    // Act
    const compiled = await compile(wrap(`<mj-text>${'word '.repeat(14)}{{recipientName|dear kind reader}}</mj-text>`));

    // Assess
    expect(compiled.text).toContain('{{recipientName|dear kind reader}}');
  });
});

describe('personalizeMail', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['" onmouseover="x', '&quot; onmouseover=&quot;x'],
    ['Tom & Jerry', 'Tom &amp; Jerry'],
    ["O'Brien", 'O&#39;Brien'],
  ])('escapes %j in the HTML and keeps it as-is in the text', async (name, escaped) => {
    // Prepare
    const compiled = await compile(
      wrap('<mj-text><a href="https://n.example/" title="{{recipientName}}">Hi {{recipientName}}</a></mj-text>'),
    );

    // Act
    const mail = personalizeMail(compiled, { recipientName: name });

    // Assess
    expect(mail.html).toContain(`Hi ${escaped}`);
    expect(mail.html).toContain(`title="${escaped}"`);
    expect(mail.html).not.toContain(name);
    expect(mail.text).toContain(`Hi ${name}`);
  });

  it.each([
    [undefined, 'Hi there,'],
    ['', 'Hi there,'],
    ['  ', 'Hi there,'],
    ['Ada', 'Hi Ada,'],
    ['Ada\r\nBcc: x', 'Hi Ada Bcc: x,'],
  ])('fills recipientName %j as %j', async (value, expected) => {
    // Prepare
    const compiled = await compile(wrap('<mj-text>Hi {{recipientName|there}},</mj-text>'));

    // Act
    const mail = personalizeMail(compiled, { recipientName: value });

    // Assess
    expect(mail.html).toContain(expected);
    expect(mail.text).toContain(expected);
  });

  it('fails naming a placeholder that has no value', async () => {
    // Prepare
    const compiled = await compile(wrap('<mj-text>{{confirmUrl}}</mj-text>'));

    // Act / Assess
    expect(() => personalizeMail(compiled, { recipientName: 'Ada' })).toThrow(/\{\{confirmUrl\}\}.*confirmUrl/);
  });

  it('refuses a URL value that is not http(s) or mailto', async () => {
    // Prepare
    const compiled = await compile(wrap('<mj-button href="{{confirmUrl}}">Go</mj-button>'));

    // Act / Assess
    expect(() => personalizeMail(compiled, { confirmUrl: 'javascript:alert(1)' })).toThrow(MailTemplateError);
  });

  it('does not expand placeholders that arrive inside a value', async () => {
    // Prepare
    const compiled = await compile(wrap('<mj-text>{{recipientName}} {{confirmUrl}}</mj-text>'));

    // Act
    const mail = personalizeMail(compiled, { recipientName: '{{confirmUrl}}', confirmUrl: 'https://n.example/' });

    // Assess
    expect(mail.text).toContain('{{confirmUrl}} https://n.example/');
  });
});

describe('template errors', () => {
  const partial = (content: string) => `<mj-section>\n<mj-column>\n${content}\n</mj-column>\n</mj-section>`;

  it.each([
    ['a misspelt tag in the entry', wrap('<mj-txt>Hi</mj-txt>'), /mail\.mjml:8: Element mj-txt doesn't exist/],
    [
      'a misspelt tag in a partial',
      {
        'mail.mjml': '<mjml>\n<mj-body>\n  <mj-include path="partials/footer.mjml" />\n</mj-body>\n</mjml>',
        'partials/footer.mjml': partial('<mj-tekst>x</mj-tekst>'),
      },
      /partials\/footer\.mjml:3: Element mj-tekst doesn't exist/,
    ],
    [
      'an unknown placeholder',
      wrap('<mj-text>{{siteTitel}}</mj-text>'),
      /mail\.mjml:8: unknown placeholder \{\{siteTitel\}\}/,
    ],
    ['a malformed placeholder', wrap('<mj-text>{{siteTitle}</mj-text>'), /mail\.mjml:8: malformed placeholder/],
    [
      'a missing partial',
      { 'mail.mjml': '<mjml>\n<mj-body>\n<mj-include path="partials/nope.mjml" />\n</mj-body>\n</mjml>' },
      /partials\/nope\.mjml does not exist \(included from mail\.mjml\)/,
    ],
    [
      'a partial that includes itself',
      {
        'mail.mjml': '<mjml><mj-body>\n<mj-include path="loop.mjml" />\n</mj-body></mjml>',
        'loop.mjml': '<mj-include path="loop.mjml" />',
      },
      /loop\.mjml includes itself/,
    ],
    [
      'an include that shares its line',
      { 'mail.mjml': '<mjml><mj-body><mj-include path="x.mjml" /></mj-body></mjml>', 'x.mjml': '' },
      /mail\.mjml:1: put each <mj-include/,
    ],
    [
      'a traversing include path',
      { 'mail.mjml': '<mjml><mj-body>\n<mj-include path="../../package.json" />\n</mj-body></mjml>' },
      /\.\.\/\.\.\/package\.json does not exist/,
    ],
  ])('fails on %s, naming the file and line', async (_case, files, message) => {
    // Act / Assess
    await expect(compile(files)).rejects.toThrow(message);
  });

  it('refuses a site value that contains a placeholder', async () => {
    // Act / Assess
    await expect(compile(wrap('<mj-text>x</mj-text>'), siteVars({ siteTitle: 'A {{confirmUrl}}' }))).rejects.toThrow(
      /siteTitle must not contain/,
    );
  });
});

describe('siteMailVars', () => {
  const makeSite = (language: string): SiteConfig => ({
    digest: defaultDigestConfig(),
    title: 'Notes',
    description: '',
    baseUrl: 'https://notes.example/',
    language,
    feedSize: 20,
    pageSize: 10,
    timeZone: 'UTC',
    maxPostBytes: 1024,
    iframeHosts: [],
    mail: { from: 'news@notes.example', fromName: 'Notes', postalAddress: '1 Sample Street' },
  });

  it.each([
    ['en', 'ltr'],
    ['ar', 'rtl'],
    ['he-IL', 'rtl'],
    ['fa', 'rtl'],
    ['de-CH', 'ltr'],
  ])('gives language %s the direction %s', (language, dir) => {
    // Act
    const vars = siteMailVars(makeSite(language));

    // Assess
    expect(vars).toMatchObject({ language, dir, siteTitle: 'Notes', postalAddress: '1 Sample Street' });
  });
});
