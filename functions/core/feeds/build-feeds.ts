import { siteUrl } from '../paths.ts';
import type { FeedFormat, PublishedPost, SiteConfig } from '../types.ts';
import { renderAtom } from './atom.ts';
import { renderJsonFeed } from './json-feed.ts';
import { type FeedModel, type FeedScope, prepareFeed } from './model.ts';
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

const RENDERERS: Record<FeedFormat, (feed: FeedModel) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
};
const SELF: Record<FeedFormat, 'rssUrl' | 'atomUrl' | 'jsonUrl'> = { rss: 'rssUrl', atom: 'atomUrl', json: 'jsonUrl' };

/**
 * One feed document per requested file, in its format, each naming its own address as self (the W3C validator warns
 * when self differs from where the feed is served). The posts are prepared once for all of them.
 * @example buildFeedDocuments(posts, site, now, undefined, [{ path: 'index.xml', format: 'rss' }])[0] // '<?xml …'
 */
export const buildFeedDocuments = (
  posts: readonly PublishedPost[],
  site: SiteConfig,
  now: Date,
  scope: FeedScope | undefined,
  files: readonly { path: string; format: FeedFormat }[],
): string[] => {
  const feed = prepareFeed(posts, site, now, scope);
  return files.map(({ path, format }) => RENDERERS[format]({ ...feed, [SELF[format]]: siteUrl(site, path) }));
};
