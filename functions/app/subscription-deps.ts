import { ConfigError } from '../core/errors.ts';
import { buildConfirmationMail, compileConfirmationMail } from '../core/mail/confirmation-mail.ts';
import { DEFAULT_POLICY, type SubscriptionPolicy } from '../core/subscribers/subscriber.ts';
import type { SiteConfig } from '../core/types.ts';
import type { Logger } from './logger.ts';
import type { Mailer, SubscriberStore } from './ports.ts';
import type { SubscriptionDeps } from './subscriptions.ts';

/**
 * Everything the subscription use cases need, from the parts that differ between the stack and the local run
 * (store, mailer, key). The confirmation template is compiled here, once per process.
 */
export const createSubscriptionDeps = async (parts: {
  store: SubscriberStore;
  mailer: Mailer;
  site: SiteConfig;
  tokenKey: Uint8Array;
  mailTemplates: Readonly<Record<string, string>>;
  log: Logger;
  policy?: SubscriptionPolicy;
  now?: () => Date;
}): Promise<SubscriptionDeps> => {
  if (!parts.site.mail) {
    throw new ConfigError(
      'site config has no "mail" section: subscriptions need a sender address and a postal address',
    );
  }
  const compiled = await compileConfirmationMail(parts.mailTemplates, parts.site);
  return {
    store: parts.store,
    mailer: parts.mailer,
    site: parts.site,
    tokenKey: parts.tokenKey,
    policy: parts.policy ?? DEFAULT_POLICY,
    now: parts.now ?? (() => new Date()),
    nonce: () => crypto.randomUUID(),
    log: parts.log,
    composeConfirmation: (to, confirmUrl, now) =>
      buildConfirmationMail({ site: parts.site, compiled, to, confirmUrl, now }),
  };
};
