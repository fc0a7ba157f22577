/**
 * The subscription API's addresses on the site's own origin (CloudFront sends `/api/*` to it), and the links in
 * mail that carry tokens.
 */
import { siteUrl } from '../paths.ts';
import type { SiteConfig } from '../types.ts';
import type { TokenKeyRing } from './token-key-ring.ts';
import { signToken } from './tokens.ts';

export const API_PATHS = {
  subscribe: 'api/subscribe',
  confirm: 'api/confirm',
  unsubscribe: 'api/unsubscribe',
} as const;

export type ApiEndpoint = keyof typeof API_PATHS;

/**
 * An endpoint's absolute URL, with the token as its query when given.
 * @example apiUrl({ baseUrl: 'https://a.example/' }, 'confirm', 'abc.def') // 'https://a.example/api/confirm?token=abc.def'
 */
export const apiUrl = (site: Pick<SiteConfig, 'baseUrl'>, endpoint: ApiEndpoint, token?: string): string => {
  const url = new URL(siteUrl(site, API_PATHS[endpoint]));
  if (token !== undefined) url.searchParams.set('token', token);
  return url.href;
};

/**
 * A subscriber's unsubscribe link, in the footer and the List-Unsubscribe header of every list mail (RFC 8058's
 * one-click POST goes to it): signed, bound to the address and to unsubscribing, never expiring.
 * @example unsubscribeUrl({ site: { baseUrl: 'https://a.example/' }, tokenKey }, 'ada@example.org') // 'https://a.example/api/unsubscribe?token=…'
 */
export const unsubscribeUrl = (
  links: { site: Pick<SiteConfig, 'baseUrl'>; tokenKey: Uint8Array | TokenKeyRing },
  key: string,
): string => apiUrl(links.site, 'unsubscribe', signToken(links.tokenKey, { purpose: 'unsubscribe', key }));

/**
 * The page a form's POST redirects to (POST/redirect/GET): the endpoint with an outcome code, never an address or
 * a token, so a refresh repeats nothing and the URL gives nothing away.
 * @example resultUrl({ baseUrl: 'https://a.example/' }, 'subscribe', 'check-your-inbox') // 'https://a.example/api/subscribe?result=check-your-inbox'
 */
export const resultUrl = (site: Pick<SiteConfig, 'baseUrl'>, endpoint: ApiEndpoint, result: string): string => {
  const url = new URL(siteUrl(site, API_PATHS[endpoint]));
  url.searchParams.set('result', result);
  return url.href;
};
