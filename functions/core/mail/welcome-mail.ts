/**
 * The welcome mail: one message to a subscriber who has just confirmed. The reader is on the list now, so it is
 * list mail like a digest: the list footer's unsubscribe link, List-Id, and List-Unsubscribe with one-click.
 */

import { ConfigError } from '../errors.ts';
import type { SiteConfig } from '../types.ts';
import { buildListMail, type MailTo } from './list-mail.ts';
import { type CompiledMail, compileMailTemplate, siteMailVars } from './mail-template.ts';
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
 *   unsubscribeUrl: unsubscribeUrl({ site, tokenKey }, key), now: new Date() }));
 */
export const buildWelcomeMail = (input: MailTo & { unsubscribeUrl: string }): Promise<OutgoingMessage> =>
  buildListMail({ ...input, kind: 'the welcome mail', subject: `Welcome to ${input.site.title}` });
