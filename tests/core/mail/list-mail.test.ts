import { type ParsedMail, simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { ConfigError, FeedmailError } from '../../../functions/core/errors.ts';
import { buildListMail, digestListId } from '../../../functions/core/mail/list-mail.ts';
import type { CompiledMail } from '../../../functions/core/mail/personalize.ts';
import type { SiteConfig } from '../../../functions/core/types.ts';
import { makeDigestSite } from '../../support/digest-fixtures.ts';

/*
 * The one builder behind the confirmation, the welcome and the digest, with a hand-made compiled template (no MJML):
 * what list mail adds, what the confirmation leaves out, and what both take from the site.
 */
const NOW = new Date('2026-11-23T07:00:00.000Z');
const UNSUBSCRIBE_URL = 'https://notes.example/api/unsubscribe?token=abc.def';

const makeCompiled = (placeholders: readonly string[]): CompiledMail => {
  const body = placeholders.map((name) => `${name}={{${name}}}`).join(' ');
  return { entry: 'test.mjml', html: `<p>${body}</p>`, text: `${body}\n`, placeholders };
};

/** List mail unless `unsubscribeUrl` is given as undefined (then it is a confirmation, with its confirmUrl). */
const build = async (
  options: { site?: SiteConfig; unsubscribeUrl?: string | undefined; name?: string } = {},
): Promise<ParsedMail> => {
  const unsubscribeUrl = 'unsubscribeUrl' in options ? options.unsubscribeUrl : UNSUBSCRIBE_URL;
  const list = unsubscribeUrl !== undefined;
  const message = await buildListMail({
    site: options.site ?? makeDigestSite(),
    compiled: makeCompiled(list ? ['recipientName', 'unsubscribeUrl'] : ['confirmUrl', 'recipientName']),
    to:
      options.name === undefined ? { address: 'ada@example.org' } : { address: 'ada@example.org', name: options.name },
    now: NOW,
    messageId: 'list-1',
    kind: 'test mail',
    subject: 'Hello',
    ...(list ? { unsubscribeUrl } : { vars: { confirmUrl: 'https://notes.example/api/confirm?token=x.y' } }),
  });
  return simpleParser(Buffer.from(message.raw));
};

const headerLine = (mail: ParsedMail, key: string): string[] =>
  mail.headerLines.filter((h) => h.key === key).map((h) => h.line.replace(/\r\n\s+/g, ' '));

describe('buildListMail', () => {
  it('gives list mail its List-Id, one-click List-Unsubscribe and the link in the body', async () => {
    // Act
    const mail = await build();

    // Assess
    expect(headerLine(mail, 'list-id')).toEqual(['List-ID: "Field Notes" <digest.notes.example>']);
    expect(headerLine(mail, 'list-unsubscribe')).toEqual([
      `List-Unsubscribe: <${UNSUBSCRIBE_URL}>, <mailto:editor@notes.example?subject=unsubscribe>`,
    ]);
    expect(headerLine(mail, 'list-unsubscribe-post')).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
    expect(mail.text).toContain(`unsubscribeUrl=${UNSUBSCRIBE_URL}`);
  });

  it('leaves every list header out of mail with no unsubscribe link', async () => {
    // Act
    const mail = await build({ unsubscribeUrl: undefined });

    // Assess
    expect(mail.headerLines.map((h) => h.key).filter((key) => key.startsWith('list-'))).toEqual([]);
    expect(mail.text).toContain('confirmUrl=https://notes.example/api/confirm?token=x.y');
  });

  it('takes From, Reply-To and the Message-ID domain from the site, and the unsubscribe mailto from From without a Reply-To', async () => {
    // Prepare
    const site = makeDigestSite();
    const { replyTo: _none, ...mailSettings } = site.mail ?? { from: '', fromName: '', postalAddress: '' };

    // Act
    const mail = await build({ site: { ...site, mail: mailSettings } });

    // Assess
    expect(mail.from?.value).toEqual([{ address: 'news@notes.example', name: 'Field Notes' }]);
    expect(mail.replyTo).toBeUndefined();
    expect(mail.messageId).toBe('<list-1@notes.example>');
    expect(headerLine(mail, 'list-unsubscribe')[0]).toContain('<mailto:news@notes.example?subject=unsubscribe>');
  });

  it('puts a name with a line break on one line of the To header', async () => {
    // Act
    const mail = await build({ name: ' Ada\r\nBcc: mallory@example.org ' });

    // Assess
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value).toEqual([
      { address: 'ada@example.org', name: 'Ada Bcc: mallory@example.org' },
    ]);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.text).toContain('recipientName=Ada Bcc: mallory@example.org');
  });

  it('names the kind of mail when the site has no mail section', async () => {
    // Prepare
    const { mail: _none, ...site } = makeDigestSite();

    // Act / Assess
    await expect(build({ site })).rejects.toThrow(
      new ConfigError('The site config has no mail section; test mail needs a sender.'),
    );
  });

  it('refuses an unsubscribe link that no mail app may POST to', async () => {
    // Act / Assess
    await expect(build({ unsubscribeUrl: 'http://notes.example/api/unsubscribe' })).rejects.toThrow(FeedmailError);
  });
});

describe('digestListId', () => {
  it('names the list after the site on one line, under the site host', () => {
    // Act / Assess
    expect(digestListId({ title: 'Notes\r\n', baseUrl: 'https://xn--caf-dma.example:8443/' })).toEqual({
      name: 'Notes',
      id: 'digest.xn--caf-dma.example',
    });
  });
});
