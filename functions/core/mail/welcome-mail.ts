/**
 * The welcome mail: one message to a subscriber who has just confirmed. The reader is on the list now, so it is
 * list mail like a digest: the list footer's unsubscribe link, List-Id, and List-Unsubscribe with one-click.
 */

import { ConfigError } from '../errors.ts';
import type { SiteConfig } from '../types.ts';
import { composeMessage } from './compose-message.ts';
import { digestListId } from './digest-message.ts';
import { type CompiledMail, compileMailTemplate, oneLine, personalizeMail, siteMailVars } from './mail-template.ts';
import type { OutgoingMessage } from './outgoing-message.ts';

/** The template file (under templates/mail/) and the per-recipient values it may use. */
export const WELCOME_TEMPLATE = 'welcome.mjml';
export const WELCOME_VARS = ['unsubscribeUrl', 'recipientName'] as const;

/** Whether the site sends a welcome mail on confirmation (`mail.welcomeMail`, on unless set to false). */
export const sendsWelcomeMail = (site: SiteConfig): boolean =>
  site.mail !== undefined && site.mail.welcomeMail !== false;

/**
 * Compiles the welcome template for a site, once per process.
 * @example const compiled = await compileWelcomeMail({ 'welcome.mjml': '<mjml>…', 'partials/list-footer.mjml': '…' }, site);
 */
export const compileWelcomeMail = async (
  files: Readonly<Record<string, string>>,
  site: SiteConfig,
): Promise<CompiledMail> => {
  const compiled = await compileMailTemplate({
    files,
    entry: WELCOME_TEMPLATE,
    siteVars: siteMailVars(site),
    recipientVars: WELCOME_VARS,
  });
  // List mail without a way out breaks the bulk-mail rules: fail at start, not at the first confirmation.
  if (!compiled.placeholders.includes('unsubscribeUrl')) {
    throw new ConfigError(
      `Mail template ${WELCOME_TEMPLATE} must contain {{unsubscribeUrl}} (include partials/list-footer.mjml).`,
    );
  }
  return compiled;
};

/**
 * Builds the welcome message for one subscriber.
 * @example
 * await mailer.send(await buildWelcomeMail({ site, compiled, to: { address: 'ada@example.org', name: 'Ada' },
 *   unsubscribeUrl: apiUrl(site, 'unsubscribe', token), now: new Date() }));
 */
export const buildWelcomeMail = async (input: {
  site: SiteConfig;
  compiled: CompiledMail;
  to: { address: string; name?: string };
  unsubscribeUrl: string;
  now: Date;
  /** Left part of the Message-ID; random when absent. */
  messageId?: string;
}): Promise<OutgoingMessage> => {
  const { site, compiled } = input;
  const mail = site.mail;
  if (!mail) throw new ConfigError('The site config has no mail section; the welcome mail needs a sender.');
  const name = oneLine(input.to.name ?? '');
  const to = name === '' ? { address: input.to.address } : { address: input.to.address, name };
  const { html, text } = personalizeMail(compiled, { unsubscribeUrl: input.unsubscribeUrl, recipientName: name });
  const raw = await composeMessage({
    from: { address: mail.from, name: mail.fromName },
    to,
    ...(mail.replyTo === undefined ? {} : { replyTo: mail.replyTo }),
    subject: `Welcome to ${site.title}`,
    text,
    html,
    now: input.now,
    ...(input.messageId === undefined ? {} : { messageId: input.messageId }),
    // The same list as the digests, so mail apps group them and one-click leaves both.
    listId: digestListId(site),
    unsubscribe: { url: input.unsubscribeUrl, mailto: `mailto:${mail.replyTo ?? mail.from}?subject=unsubscribe` },
  });
  return { from: mail.from, to: to.address, raw };
};
