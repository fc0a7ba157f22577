import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { FeedmailError } from '../../../functions/core/errors.ts';
import { composeMessage, type MessageInput } from '../../../functions/core/mail/compose-message.ts';

const makeInput = (overrides: Partial<MessageInput> = {}): MessageInput => ({
  from: { address: 'news@notes.example', name: 'Café ☕ Notes' },
  to: { address: 'ada@example.org', name: 'Ada Lovelace' },
  subject: 'Confirm your subscription to Café ☕ Notes',
  text: 'Hello\nhttps://notes.example/confirm?t=abc\n',
  html: '<p>Hello <a href="https://notes.example/confirm?t=abc">confirm</a></p>',
  now: new Date('2026-11-14T09:30:00.000Z'),
  messageId: 'fixed-id',
  ...overrides,
});

const headerLines = (raw: Uint8Array): string[] => {
  const text = Buffer.from(raw).toString('latin1');
  return text.slice(0, text.indexOf('\r\n\r\n')).split(/\r\n(?![ \t])/);
};

describe('composeMessage', () => {
  it('builds multipart/alternative with encoded headers, the given Date and Message-ID', async () => {
    // Act
    const raw = await composeMessage(makeInput({ replyTo: 'ada@notes.example' }));
    const mail = await simpleParser(Buffer.from(raw));

    // Assess
    expect(mail.from?.value).toEqual([{ address: 'news@notes.example', name: 'Café ☕ Notes' }]);
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value).toEqual([
      { address: 'ada@example.org', name: 'Ada Lovelace' },
    ]);
    expect(mail.replyTo?.value).toEqual([{ address: 'ada@notes.example', name: '' }]);
    expect(mail.subject).toBe('Confirm your subscription to Café ☕ Notes');
    expect(mail.date?.toISOString()).toBe('2026-11-14T09:30:00.000Z');
    expect(mail.messageId).toBe('<fixed-id@notes.example>');
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(mail.text).toBe('Hello\nhttps://notes.example/confirm?t=abc\n');
    expect(mail.html).toBe(makeInput().html);
  });

  it('writes an RFC 5322 message: ASCII headers, RFC 2047 words, CRLF line ends, no X-Mailer', async () => {
    // Act
    const raw = await composeMessage(makeInput());
    const lines = headerLines(raw);
    const text = Buffer.from(raw).toString('latin1');

    // Assess
    expect(lines.find((line) => line.startsWith('Subject:'))).toMatch(/^Subject: =\?UTF-8\?[QB]\?/);
    expect(lines.every((line) => /^[\x20-\x7e\r\n\t]*$/.test(line))).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(lines.some((line) => /^x-mailer:/i.test(line))).toBe(false);
  });

  it('adds List-Id, List-Unsubscribe and one-click List-Unsubscribe-Post once each for list mail', async () => {
    // Act
    const raw = await composeMessage(
      makeInput({
        listId: { name: 'Café ☕ Notes', id: 'notes.example' },
        unsubscribe: { url: 'https://notes.example/unsubscribe?t=xyz', mailto: 'mailto:unsubscribe@notes.example' },
      }),
    );
    const mail = await simpleParser(Buffer.from(raw));
    const lines = headerLines(raw).map((line) => line.replace(/\r\n[ \t]/g, ' '));

    // Assess
    const named = (name: string) => lines.filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    expect(named('List-Unsubscribe')).toEqual([
      'List-Unsubscribe: <https://notes.example/unsubscribe?t=xyz>, <mailto:unsubscribe@notes.example>',
    ]);
    expect(named('List-Unsubscribe-Post')).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
    expect(named('List-Id')).toHaveLength(1);
    // mailparser leaves the list name encoded; a Q-encoded word without '%' decodes like a URI component.
    const list = mail.headers.get('list') as unknown as { id: { id: string; name: string } };
    const words = [...list.id.name.matchAll(/=\?UTF-8\?Q\?([^?]*)\?=/g)].map((word) => word[1] ?? '');
    expect(list.id.id).toBe('notes.example');
    expect(decodeURIComponent(words.join('').replace(/_/g, ' ').replace(/=/g, '%'))).toBe('Café ☕ Notes');
  });

  it.each(['http://localhost:8787/api/unsubscribe?token=a.b', 'http://127.0.0.1:8787/api/unsubscribe?token=a.b'])(
    "accepts the local run's plain-http unsubscribe URL %s",
    async (url) => {
      // Act
      const raw = await composeMessage(makeInput({ unsubscribe: { url } }));

      // Assess
      expect(headerLines(raw)).toContain(`List-Unsubscribe: <${url}>`);
    },
  );

  it('quotes an ASCII list name', async () => {
    // Act
    const raw = await composeMessage(makeInput({ listId: { name: 'Field "Notes"', id: 'notes.example' } }));

    // Assess
    expect(headerLines(raw)).toContain('List-ID: "Field \\"Notes\\"" <notes.example>');
  });

  it('makes a random Message-ID at the sender domain when none is given', async () => {
    // Prepare
    const { messageId: _omit, ...input } = makeInput();

    // Act
    const raws = await Promise.all([composeMessage(input), composeMessage(input)]);
    const ids = await Promise.all(raws.map(async (raw) => (await simpleParser(Buffer.from(raw))).messageId));

    // Assess
    expect(ids[0]).toMatch(/^<[0-9a-f-]{36}@notes\.example>$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it.each([
    ['Subject', { subject: 'Hi\r\nBcc: victim@example.org' }],
    ['From', { from: { address: 'news@notes.example', name: 'Notes\nBcc: x@y.z' } }],
    ['To', { to: { address: 'ada@example.org', name: 'Ada\r' } }],
    ['To', { to: { address: 'ada@example.org\r\nBcc: x@y.z' } }],
    ['Reply-To', { replyTo: 'a@b.example\nX: y' }],
    ['Message-ID', { messageId: 'id\r\nX: y' }],
    ['List-Id', { listId: { name: 'Notes\n', id: 'notes.example' } }],
    ['List-Unsubscribe', { unsubscribe: { url: 'https://notes.example/u\r\nX: y' } }],
  ] as [string, Partial<MessageInput>][])('refuses a line break in the %s header', async (header, overrides) => {
    // Act / Assess
    await expect(composeMessage(makeInput(overrides))).rejects.toThrow(new RegExp(`The ${header} `));
  });

  it.each([
    ['a second recipient', { to: { address: 'ada@example.org, eve@example.org' } }],
    ['a display name in the address', { to: { address: 'Ada <ada@example.org>' } }],
    ['a plain-http unsubscribe URL', { unsubscribe: { url: 'http://notes.example/u' } }],
    [
      'plain http on a host that only starts like localhost',
      { unsubscribe: { url: 'http://localhost.evil.example/u' } },
    ],
    ['a list id that is not a dotted name', { listId: { name: 'Notes', id: 'notes example>' } }],
  ] as [string, Partial<MessageInput>][])('refuses %s', async (_case, overrides) => {
    // Act / Assess
    await expect(composeMessage(makeInput(overrides))).rejects.toThrow(FeedmailError);
  });

  it('refuses a message over the 10 MB SES limit', async () => {
    // Act / Assess
    await expect(composeMessage(makeInput({ html: 'x'.repeat(11 * 1024 * 1024) }))).rejects.toThrow(/at most 10485760/);
  });
});
