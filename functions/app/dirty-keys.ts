/**
 * Names of the outputs a change can make stale: the feeds with the index and archive pages, one month's archive
 * page, one post's page. Written by reconcile-source, read back by render-site.
 */
export const FEEDS_KEY = 'feeds';

const MONTH_PREFIX = 'month:';
const POST_PREFIX = 'post:';

export const monthKey = (month: string): string => `${MONTH_PREFIX}${month}`;
export const postKey = (slug: string): string => `${POST_PREFIX}${slug}`;

/** The month of a month key, or undefined for other keys. */
export const monthOfKey = (key: string): string | undefined =>
  key.startsWith(MONTH_PREFIX) ? key.slice(MONTH_PREFIX.length) : undefined;

/** The slug of a post key, or undefined for other keys. */
export const slugOfKey = (key: string): string | undefined =>
  key.startsWith(POST_PREFIX) ? key.slice(POST_PREFIX.length) : undefined;
