import { ConfigError } from '../core/errors.ts';
import { buildConfirmationMail, compileConfirmationMail } from '../core/mail/confirmation-mail.ts';
import { buildWelcomeMail, compileWelcomeMail, sendsWelcomeMail } from '../core/mail/welcome-mail.ts';
import { unsubscribeUrl } from '../core/subscribers/links.ts';
import { DEFAULT_POLICY, type SubscriptionPolicy } from '../core/subscribers/subscriber.ts';
import type { TokenKeyRing } from '../core/subscribers/token-key-ring.ts';
import type { SiteConfig } from '../core/types.ts';
import type { Logger } from './logger.ts';
import type { Mailer, SubscriberStore } from './ports.ts';
import type { SubscriptionDeps } from './subscriptions.ts';

/**
 * Everything the subscription use cases need, from the parts that differ between the stack and the local run
 * (store, mailer, key). The confirmation and welcome templates are compiled here, once per process.
 */
export const createSubscriptionDeps = async (parts: {
  store: SubscriberStore;
  mailer: Mailer;
  site: SiteConfig;
  tokenKey: Uint8Array | TokenKeyRing;
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
  const welcome = sendsWelcomeMail(parts.site) ? await compileWelcomeMail(parts.mailTemplates, parts.site) : undefined;
  const links = { site: parts.site, tokenKey: parts.tokenKey };
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
    ...(welcome
      ? {
          sendWelcome: async (subscriber, now) => {
            const to = { address: subscriber.address, ...(subscriber.name ? { name: subscriber.name } : {}) };
            const url = unsubscribeUrl(links, subscriber.key);
            await parts.mailer.send(
              await buildWelcomeMail({ site: parts.site, compiled: welcome, to, unsubscribeUrl: url, now }),
            );
          },
        }
      : {}),
  };
};
