/**
 * The one way a message to one person is put together, whatever it says: the site's sender (From, Reply-To), the
 * recipient's name on one line, the per-recipient values substituted into the compiled template, the Message-ID on
 * the sender's domain and, for list mail (a digest, the welcome), List-Id (RFC 2919) and List-Unsubscribe with
 * one-click (RFC 2369, RFC 8058). composeMessage checks every header value on the way out (one bare address per
 * address field, no line break anywhere, an https one-click URL, a dot-atom Message-ID).
 *
 * Free of MJML (personalize.ts, not mail-template.ts): the digest sender builds through here once per recipient.
 */

import { ConfigError } from '../errors.ts';
import type { SiteConfig } from '../types.ts';
import { composeMessage } from './compose-message.ts';
import type { OutgoingMessage } from './outgoing-message.ts';
import { type CompiledMail, oneLine, personalizeMail } from './personalize.ts';

/**
 * The List-Id (RFC 2919): a label under a domain the sender controls, stable for the life of the list. The site's
 * host is that domain; the label names this list on it. Digests and the welcome share it.
 * @example digestListId({ title: 'Field Notes', baseUrl: 'https://notes.example/' }) // { name: 'Field Notes', id: 'digest.notes.example' }
 */
export const digestListId = (site: Pick<SiteConfig, 'title' | 'baseUrl'>): { name: string; id: string } => ({
  name: oneLine(site.title),
  id: `digest.${new URL(site.baseUrl).hostname.replace(/[^A-Za-z0-9.-]/g, '-')}`,
});

/** What every message to one person starts from: the site, its compiled template, the recipient, the time. */
export interface MailTo {
  site: SiteConfig;
  compiled: CompiledMail;
  to: { address: string; name?: string };
  now: Date;
  /** Left part of the Message-ID; random when absent. */
  messageId?: string;
}

/**
 * Builds one message. An `unsubscribeUrl` makes it list mail: the link fills the template's `{{unsubscribeUrl}}` and
 * goes in List-Unsubscribe (with one-click) beside the List-Id. Without one (the confirmation, to an address that is
 * not on the list yet) the message has neither header.
 * @example
 * await mailer.send(await buildListMail({ site, compiled, to: { address: 'ada@example.org' }, now: new Date(),
 *   kind: 'the digest', subject: compiled.subject, unsubscribeUrl }));
 */
export const buildListMail = async (
  input: MailTo & {
    /** What the message is, for the error when the site has no mail section: `the digest`, `confirmation mail`. */
    kind: string;
    subject: string;
    unsubscribeUrl?: string;
    /** The template's other per-recipient values (`recipientName` and `unsubscribeUrl` are filled here). */
    vars?: Readonly<Record<string, string>>;
  },
): Promise<OutgoingMessage> => {
  const { site, compiled, unsubscribeUrl } = input;
  const mail = site.mail;
  if (!mail) throw new ConfigError(`The site config has no mail section; ${input.kind} needs a sender.`);
  // The name may be what a visitor typed: flattened to one line, so a pasted line break cannot fail the mail (or,
  // were composeMessage less strict, add a header).
  const name = oneLine(input.to.name ?? '');
  const to = name === '' ? { address: input.to.address } : { address: input.to.address, name };
  const { html, text } = personalizeMail(compiled, {
    ...input.vars,
    ...(unsubscribeUrl === undefined ? {} : { unsubscribeUrl }),
    recipientName: name,
  });
  const raw = await composeMessage({
    from: { address: mail.from, name: mail.fromName },
    to,
    ...(mail.replyTo === undefined ? {} : { replyTo: mail.replyTo }),
    subject: input.subject,
    text,
    html,
    now: input.now,
    ...(input.messageId === undefined ? {} : { messageId: input.messageId }),
    ...(unsubscribeUrl === undefined
      ? {}
      : {
          // One list for the digests and the welcome, so mail apps group them and one-click leaves both.
          listId: digestListId(site),
          // The mailto is for mail apps that cannot POST; replies to it reach whoever reads the sender's mail.
          unsubscribe: { url: unsubscribeUrl, mailto: `mailto:${mail.replyTo ?? mail.from}?subject=unsubscribe` },
        }),
  });
  return { from: mail.from, to: to.address, raw };
};
