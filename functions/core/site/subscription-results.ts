/**
 * The result pages a form's POST redirects to (POST/redirect/GET), by endpoint and outcome code. Only these codes
 * exist: the query names one of them and the words come from here, so nothing in the URL reaches the page.
 */

import type { ApiEndpoint } from '../subscribers/links.ts';
import type { SiteConfig } from '../types.ts';
import * as pages from './subscription-pages.ts';

/** What the API answers with when a result page is asked for: the status the POST's outcome deserves, and the page. */
export interface ResultPage {
  status: number;
  document: string;
}

const SUPPRESSED_MESSAGE =
  'Mail to this address bounced or was reported as spam, so we no longer send to it. If that was a mistake, write to the publisher.';

export const RESULT_PAGES = {
  subscribe: {
    'check-your-inbox': (site) => ({ status: 200, document: pages.renderCheckInboxPage(site) }),
  },
  confirm: {
    confirmed: (site) => ({ status: 200, document: pages.renderConfirmedPage(site) }),
    'already-confirmed': (site) => ({ status: 200, document: pages.renderAlreadyConfirmedPage(site) }),
    suppressed: (site) => ({ status: 409, document: pages.renderErrorPage(site, 409, SUPPRESSED_MESSAGE) }),
    'link-used': (site) => ({ status: 410, document: pages.renderLinkProblemPage(site, 'used') }),
    'link-expired': (site) => ({ status: 410, document: pages.renderLinkProblemPage(site, 'expired') }),
    'link-invalid': (site) => ({ status: 400, document: pages.renderLinkProblemPage(site, 'invalid') }),
  },
  unsubscribe: {
    unsubscribed: (site) => ({ status: 200, document: pages.renderUnsubscribedPage(site) }),
    'already-unsubscribed': (site) => ({ status: 200, document: pages.renderAlreadyUnsubscribedPage(site) }),
    'link-expired': (site) => ({
      status: 410,
      document: pages.renderLinkProblemPage(site, 'expired', 'unsubscribe'),
    }),
    'link-invalid': (site) => ({
      status: 400,
      document: pages.renderLinkProblemPage(site, 'invalid', 'unsubscribe'),
    }),
  },
} as const satisfies Record<ApiEndpoint, Record<string, (site: SiteConfig) => ResultPage>>;

export type ResultCode<E extends ApiEndpoint> = keyof (typeof RESULT_PAGES)[E] & string;

/**
 * The result page for a code, or undefined for a code this endpoint does not have.
 * @example renderResultPage(site, 'unsubscribe', 'already-unsubscribed')?.status // 200
 */
export const renderResultPage = (site: SiteConfig, endpoint: ApiEndpoint, code: string): ResultPage | undefined => {
  const results: Record<string, (site: SiteConfig) => ResultPage> = RESULT_PAGES[endpoint];
  return Object.hasOwn(results, code) ? results[code]?.(site) : undefined;
};
