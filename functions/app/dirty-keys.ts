/**
 * Names of the outputs a change can make stale: the feeds with the index and archive pages, one month's archive
 * page, one post's page, one tag's page and feeds. Written by reconcile-source (and, for the neighbours and tags
 * a change reaches, by render-site itself), read back by render-site.
 */
export const FEEDS_KEY = 'feeds';

const MONTH_PREFIX = 'month:';
const POST_PREFIX = 'post:';
const TAG_PREFIX = 'tag:';

export const monthKey = (month: string): string => `${MONTH_PREFIX}${month}`;
export const postKey = (slug: string): string => `${POST_PREFIX}${slug}`;
export const tagKey = (tagSlug: string): string => `${TAG_PREFIX}${tagSlug}`;

/** The tag slug of a tag key, or undefined for other keys. */
export const tagOfKey = (key: string): string | undefined =>
  key.startsWith(TAG_PREFIX) ? key.slice(TAG_PREFIX.length) : undefined;

/** The month of a month key, or undefined for other keys. */
export const monthOfKey = (key: string): string | undefined =>
  key.startsWith(MONTH_PREFIX) ? key.slice(MONTH_PREFIX.length) : undefined;

/** The slug of a post key, or undefined for other keys. */
export const slugOfKey = (key: string): string | undefined =>
  key.startsWith(POST_PREFIX) ? key.slice(POST_PREFIX.length) : undefined;
