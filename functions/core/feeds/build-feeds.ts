import type { PublishedPost, SiteConfig } from '../types.ts';
import { renderAtom } from './atom.ts';
import { renderJsonFeed } from './json-feed.ts';
import { type FeedScope, prepareFeed } from './model.ts';
import { renderRss } from './rss.ts';

export { stripControlCharacters } from '../xml.ts';
export { FeedError, type FeedScope } from './model.ts';

/** The three feed documents, ready to store as `SITE_FILES.rss`, `.atom` and `.json`. */
export interface Feeds {
  rss: string;
  atom: string;
  json: string;
}

/**
 * Renders RSS 2.0, Atom 1.0 and JSON Feed 1.1 from published posts (newest first). Pure and deterministic: the feeds'
 * own updated dates come from the newest post, and `now` is used only when there are no posts.
 * Throws FeedError, naming every bad post, when a date or URL cannot be carried by a feed.
 * @example buildFeeds(posts, site, new Date()).rss.startsWith('<?xml') // true
 */
export const buildFeeds = (posts: readonly PublishedPost[], site: SiteConfig, now: Date, scope?: FeedScope): Feeds => {
  const feed = prepareFeed(posts, site, now, scope);
  return { rss: renderRss(feed), atom: renderAtom(feed), json: renderJsonFeed(feed) };
};
