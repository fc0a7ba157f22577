/**
 * The double opt-in mail: one message to an address someone entered in the subscribe form, carrying the link that
 * confirms it. Not list mail, so no List-Unsubscribe: nothing is sent again unless the link is followed.
 */

import { ConfigError } from '../errors.ts';
import type { SiteConfig } from '../types.ts';
import { composeMessage } from './compose-message.ts';
import { type CompiledMail, compileMailTemplate, oneLine, personalizeMail, siteMailVars } from './mail-template.ts';
import type { OutgoingMessage } from './outgoing-message.ts';

/** The template file (under templates/mail/) and the per-recipient values it may use. */
export const CONFIRMATION_TEMPLATE = 'confirm.mjml';
export const CONFIRMATION_VARS = ['confirmUrl', 'recipientName'] as const;

/**
 * Compiles the confirmation template for a site, once per process: sending is then substitution only.
 * @example const compiled = await compileConfirmationMail({ 'confirm.mjml': '<mjml>…', 'partials/footer.mjml': '…' }, site);
 */
export const compileConfirmationMail = async (
  files: Readonly<Record<string, string>>,
  site: SiteConfig,
): Promise<CompiledMail> => {
  const compiled = await compileMailTemplate({
    files,
    entry: CONFIRMATION_TEMPLATE,
    siteVars: siteMailVars(site),
    recipientVars: CONFIRMATION_VARS,
  });
  // A confirmation mail without its link would leave the subscriber stuck: fail at start, not at the first sign-up.
  if (!compiled.placeholders.includes('confirmUrl')) {
    throw new ConfigError(`Mail template ${CONFIRMATION_TEMPLATE} must contain {{confirmUrl}}.`);
  }
  return compiled;
};

/**
 * Builds the confirmation message for one address.
 * @example
 * await mailer.send(await buildConfirmationMail({ site, compiled, to: { address: 'ada@example.org' },
 *   confirmUrl: 'https://notes.example/subscribe/confirm?token=…', now: new Date() }));
 */
export const buildConfirmationMail = async (input: {
  site: SiteConfig;
  compiled: CompiledMail;
  to: { address: string; name?: string };
  confirmUrl: string;
  now: Date;
  /** Left part of the Message-ID; random when absent. */
  messageId?: string;
}): Promise<OutgoingMessage> => {
  const { site, compiled } = input;
  const mail = site.mail;
  if (!mail) throw new ConfigError('The site config has no mail section; confirmation mail needs a sender.');
  // The name is what a visitor typed: flattened to one line, so a pasted line break cannot fail the mail (or, were
  // composeMessage less strict, add a header).
  const name = oneLine(input.to.name ?? '');
  const to = name === '' ? { address: input.to.address } : { address: input.to.address, name };
  const { html, text } = personalizeMail(compiled, { confirmUrl: input.confirmUrl, recipientName: name });
  const raw = await composeMessage({
    from: { address: mail.from, name: mail.fromName },
    to,
    ...(mail.replyTo === undefined ? {} : { replyTo: mail.replyTo }),
    subject: `Confirm your subscription to ${site.title}`,
    text,
    html,
    now: input.now,
    ...(input.messageId === undefined ? {} : { messageId: input.messageId }),
  });
  return { from: mail.from, to: to.address, raw };
};
