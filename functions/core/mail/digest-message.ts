/**
 * One recipient's digest message: substitution into the compiled mail and one composeMessage call. Kept apart from
 * digest-mail.ts (the compiler) so the sender function, which does only this, never loads MJML.
 */

import { ConfigError } from '../errors.ts';
import type { SiteConfig } from '../types.ts';
import { composeMessage } from './compose-message.ts';
import type { OutgoingMessage } from './outgoing-message.ts';
import { type CompiledMail, oneLine, personalizeMail } from './personalize.ts';

/**
 * The List-Id (RFC 2919): a label under a domain the sender controls, stable for the life of the list. The site's
 * host is that domain; the label names this list on it.
 * @example digestListId({ title: 'Field Notes', baseUrl: 'https://notes.example/' }) // { name: 'Field Notes', id: 'digest.notes.example' }
 */
export const digestListId = (site: Pick<SiteConfig, 'title' | 'baseUrl'>): { name: string; id: string } => ({
  name: oneLine(site.title),
  id: `digest.${new URL(site.baseUrl).hostname.replace(/[^A-Za-z0-9.-]/g, '-')}`,
});

/**
 * One recipient's digest: substitution and one composeMessage call, nothing else per recipient.
 * @example
 * await mailer.send(await buildDigestMessage({ site, compiled, to: { address: 'ada@example.org' },
 *   unsubscribeUrl: apiUrl(site, 'unsubscribe', token), now }));
 */
export const buildDigestMessage = async (input: {
  site: SiteConfig;
  /** The digest as compiled once (or as stored with the digest record): its parts and subject. */
  compiled: CompiledMail & { subject: string };
  to: { address: string; name?: string };
  unsubscribeUrl: string;
  now: Date;
  /** Left part of the Message-ID; random when absent. */
  messageId?: string;
}): Promise<OutgoingMessage> => {
  const { site, compiled } = input;
  const mail = site.mail;
  if (!mail) throw new ConfigError('The site config has no mail section; the digest needs a sender.');
  const name = oneLine(input.to.name ?? '');
  const to = name === '' ? { address: input.to.address } : { address: input.to.address, name };
  const { html, text } = personalizeMail(compiled, { unsubscribeUrl: input.unsubscribeUrl, recipientName: name });
  const raw = await composeMessage({
    from: { address: mail.from, name: mail.fromName },
    to,
    ...(mail.replyTo === undefined ? {} : { replyTo: mail.replyTo }),
    subject: compiled.subject,
    text,
    html,
    now: input.now,
    ...(input.messageId === undefined ? {} : { messageId: input.messageId }),
    listId: digestListId(site),
    // The mailto is for mail apps that cannot POST; replies to it reach whoever reads the sender's mail.
    unsubscribe: { url: input.unsubscribeUrl, mailto: `mailto:${mail.replyTo ?? mail.from}?subject=unsubscribe` },
  });
  return { from: mail.from, to: to.address, raw };
};
