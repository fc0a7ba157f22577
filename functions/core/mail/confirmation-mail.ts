/**
 * The double opt-in mail: one message to an address someone entered in the subscribe form, carrying the link that
 * confirms it. Not list mail, so no List-Unsubscribe: nothing is sent again unless the link is followed.
 */

import { ConfigError } from '../errors.ts';
import type { SiteConfig } from '../types.ts';
import { buildListMail, type MailTo } from './list-mail.ts';
import { type CompiledMail, compileMailTemplate, siteMailVars } from './mail-template.ts';
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
export const buildConfirmationMail = (input: MailTo & { confirmUrl: string }): Promise<OutgoingMessage> =>
  // No unsubscribeUrl: not list mail, the address is not on the list until the link is followed.
  buildListMail({
    ...input,
    kind: 'confirmation mail',
    subject: `Confirm your subscription to ${input.site.title}`,
    vars: { confirmUrl: input.confirmUrl },
  });
