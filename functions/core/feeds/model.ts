import { framesAsLinks } from '../embeds.ts';
import { FeedmailError } from '../errors.ts';
import { SITE_FILES, siteUrl } from '../paths.ts';
import type { Author, PublishedPost, SiteConfig } from '../types.ts';
import { stripControlCharacters } from '../xml.ts';

/** Posts that cannot be put in a feed; the message names every bad post and field at once. */
export class FeedError extends FeedmailError {
  override name = 'FeedError';
}

/** Everything the three writers need, cleaned once so that every format says exactly the same thing. */
export interface FeedModel {
  title: string;
  description: string;
  language: string;
  homeUrl: string;
  rssUrl: string;
  atomUrl: string;
  jsonUrl: string;
  author?: Author;
  /** The newest post's `updated ?? date`; `now` only when there are no posts, so rebuilds are byte-identical. */
  updated: Date;
  entries: FeedEntry[];
}

export interface FeedEntry {
  id: string;
  url: string;
  title: string;
  summary: string;
  html: string;
  /** Tags, then categories, without duplicates or empty strings: one list so every format files a post alike. */
  terms: string[];
  authors: Author[];
  image?: string;
  published: Date;
  /** `updated ?? date`. */
  updated: Date;
}

/** Name of the program in `<generator>`. */
export const GENERATOR = 'feedmail';

/**
 * Cleans and checks the input of `buildFeeds`: strips characters XML cannot carry, parses dates, and rejects posts
 * whose dates or URLs no feed could carry.
 */
/** Which feed of the site: the whole site's (the default) or one tag's, with its own title, page and feed URLs. */
export interface FeedScope {
  title: string;
  description: string;
  /** Paths below the site root. */
  home: string;
  rss: string;
  atom: string;
  json: string;
}

export const prepareFeed = (
  posts: readonly PublishedPost[],
  site: SiteConfig,
  now: Date,
  scope?: FeedScope,
): FeedModel => {
  const limited = posts.slice(0, Math.max(0, site.feedSize));
  const problems: string[] = [];
  const entries = limited.map((post) => prepareEntry(post, problems));
  checkUniqueIds(limited, problems);
  if (problems.length > 0) throw new FeedError(`Cannot build feeds:\n${problems.join('\n')}`);
  const newest = entries.reduce<Date | undefined>(
    (latest, entry) => (latest === undefined || entry.updated > latest ? entry.updated : latest),
    undefined,
  );
  const author = site.author ? cleanAuthor(site.author) : undefined;
  return {
    title: stripControlCharacters(scope?.title ?? site.title),
    description: stripControlCharacters(scope?.description ?? site.description),
    language: stripControlCharacters(site.language),
    homeUrl: siteUrl(site, scope?.home ?? SITE_FILES.index),
    rssUrl: siteUrl(site, scope?.rss ?? SITE_FILES.rss),
    atomUrl: siteUrl(site, scope?.atom ?? SITE_FILES.atom),
    jsonUrl: siteUrl(site, scope?.json ?? SITE_FILES.json),
    ...(author ? { author } : {}),
    updated: newest ?? now,
    entries,
  };
};

const prepareEntry = (post: PublishedPost, problems: string[]): FeedEntry => {
  const where = `${post.sourcePath} (id ${JSON.stringify(post.id)})`;
  const published = parseInstant(post.date, `${where}: date`, problems);
  const updated = post.updated === undefined ? published : parseInstant(post.updated, `${where}: updated`, problems);
  const id = stripControlCharacters(post.id);
  if (id.trim() === '') problems.push(`${where}: id is empty; feed readers track read state by id.`);
  const url = checkAbsoluteUrl(post.url, `${where}: url`, problems);
  const image = post.image === undefined ? undefined : checkAbsoluteUrl(post.image, `${where}: image`, problems);
  const terms = [...new Set([...post.tags, ...post.categories].map(stripControlCharacters))].filter(
    (term) => term.trim() !== '',
  );
  return {
    id,
    url,
    title: stripControlCharacters(post.title),
    summary: stripControlCharacters(post.summary),
    // Readers run iframes at a risk (W3C SecurityRisk), and many drop them: a video embed becomes a link.
    html: stripControlCharacters(framesAsLinks(post.html)),
    terms,
    authors: post.authors.map(cleanAuthor).filter((author): author is Author => author !== undefined),
    ...(image === undefined ? {} : { image }),
    published,
    // An edit cannot predate the post; Atom readers sort by updated.
    updated: new Date(Math.max(updated.getTime(), published.getTime())),
  };
};

// Readers keep read state by id: two posts with one id show up as one, or flip between each other on every poll.
const checkUniqueIds = (posts: readonly PublishedPost[], problems: string[]): void => {
  const firstSource = new Map<string, string>();
  for (const post of posts) {
    const first = firstSource.get(post.id);
    if (first === undefined) firstSource.set(post.id, post.sourcePath);
    else problems.push(`${post.sourcePath}: id ${JSON.stringify(post.id)} is already the id of ${first}.`);
  }
};

const parseInstant = (value: string, where: string, problems: string[]): Date => {
  const date = new Date(value);
  const year = date.getUTCFullYear();
  // RFC 3339 and RFC 822 both need a four-digit year.
  if (Number.isNaN(date.getTime()) || year < 1000 || year > 9999) {
    problems.push(`${where} ${JSON.stringify(value)} is not an ISO 8601 instant between the years 1000 and 9999.`);
    return new Date(0);
  }
  return date;
};

const checkAbsoluteUrl = (value: string, where: string, problems: string[]): string => {
  const cleaned = stripControlCharacters(value);
  if (!/^https?:\/\//i.test(cleaned) || !URL.canParse(cleaned))
    problems.push(`${where} ${JSON.stringify(value)} is not an absolute http(s) URL; feeds need absolute links.`);
  return cleaned;
};

const cleanAuthor = (author: Author): Author | undefined => {
  const name = stripControlCharacters(author.name);
  if (name.trim() === '') return undefined;
  const email = author.email === undefined ? undefined : stripControlCharacters(author.email);
  const url = author.url === undefined ? undefined : stripControlCharacters(author.url);
  return { name, ...(email ? { email } : {}), ...(url ? { url } : {}) };
};
