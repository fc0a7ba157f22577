/**
 * Reads a feed someone else wrote (an old Hugo or Jekyll site's, or a build's own) into the few fields a migration
 * check compares. Ids are kept exactly as the feed has them: readers key their read state on them, so trimming or
 * decoding one more time could make two different ids look equal.
 */
import Parser from 'rss-parser';
import { FeedmailError } from '../errors.ts';

/** A feed's format, from its content (a moved Jekyll site's `feed.xml` is Atom). */
export type FeedFormat = 'rss' | 'atom' | 'json';

/** One item as the feed gives it; absent fields stay absent. */
export interface FeedItemRead {
  /** RSS `<guid>`, Atom `<id>`, JSON Feed `id`, unchanged (not trimmed, not resolved). */
  id?: string;
  /** The item's link as written (it may be relative in RSS). */
  link?: string;
  title?: string;
  /** ISO 8601 instant: published, else updated. */
  date?: string;
}

/** A feed's format, its site and own address, and its items in feed order. */
export interface FeedRead {
  format: FeedFormat;
  title?: string;
  /** The site's home page (RSS channel link, Atom `link rel=alternate`, JSON Feed `home_page_url`). */
  homeUrl?: string;
  /** Where the feed says it lives (`atom:link rel=self`, Atom `link rel=self`, JSON Feed `feed_url`). */
  selfUrl?: string;
  items: FeedItemRead[];
}

/** The text is not an RSS, Atom or JSON feed; the message names the source and what it looks like instead. */
export class NotAFeedError extends FeedmailError {
  override name = 'NotAFeedError';
}

const FORMAT_NAMES: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };

/** The format's name for people: `RSS`, `Atom`, `JSON Feed`. */
export const nameFeedFormat = (format: FeedFormat): string => FORMAT_NAMES[format];

/**
 * The name of the first element, past the XML declaration, comments, processing instructions and a doctype;
 * undefined when the text does not start like XML.
 * @example rootElementOf('<?xml version="1.0"?>\n<!-- x --><rss version="2.0">') // 'rss'
 */
export const rootElementOf = (text: string): string | undefined => {
  const rest = text.replace(/^\uFEFF?(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*/i, '');
  return /^<([A-Za-z_][\w.:-]*)/.exec(rest)?.[1];
};

/**
 * The feed format of a text, from its content alone, or undefined if it is none of them.
 * @example detectFeedFormat('<feed xmlns="http://www.w3.org/2005/Atom">') // 'atom'
 */
export const detectFeedFormat = (text: string): FeedFormat | undefined => {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{'))
    return /"version"\s*:\s*"https?:\/\/jsonfeed\.org\/version\//.test(trimmed) ? 'json' : undefined;
  const root = rootElementOf(trimmed)?.toLowerCase();
  if (root === 'rss' || root === 'rdf:rdf') return 'rss';
  if (root === 'feed') return 'atom';
  return undefined;
};

const stringOf = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
};

const isoOf = (value: unknown): string | undefined => {
  const text = stringOf(value);
  if (text === undefined) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

/** T with the keys that may hold undefined made optional instead. */
type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Leaves out the keys whose value is undefined, so optional fields stay absent (exactOptionalPropertyTypes). */
const defined = <T extends object>(value: T): Defined<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Defined<T>;

const readJsonFeed = (text: string, source: string): FeedRead => {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new NotAFeedError(`${source} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const feed = (data ?? {}) as Record<string, unknown>;
  const items = Array.isArray(feed.items) ? (feed.items as Record<string, unknown>[]) : [];
  return defined({
    format: 'json' as const,
    title: stringOf(feed.title),
    homeUrl: stringOf(feed.home_page_url),
    selfUrl: stringOf(feed.feed_url),
    items: items.map((item) =>
      defined({
        id: stringOf(item.id),
        link: stringOf(item.url),
        title: stringOf(item.title),
        date: isoOf(item.date_published) ?? isoOf(item.date_modified),
      }),
    ),
  });
};

type XmlItem = { id?: unknown; guid?: unknown; link?: unknown; title?: unknown; isoDate?: unknown };

const readXmlFeed = async (text: string, format: 'rss' | 'atom', source: string): Promise<FeedRead> => {
  let parsed: Parser.Output<XmlItem>;
  try {
    parsed = await new Parser<Record<string, unknown>, XmlItem>().parseString(text);
  } catch (error) {
    throw new NotAFeedError(
      `${source} looks like ${FORMAT_NAMES[format]} but cannot be read: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
  return defined({
    format,
    title: stringOf(parsed.title),
    homeUrl: stringOf(parsed.link),
    selfUrl: stringOf(parsed.feedUrl),
    items: parsed.items.map((item) =>
      defined({
        // rss-parser puts an RSS <guid> in `guid` and an Atom <id> in `id`, both as the XML text.
        id: stringOf(format === 'rss' ? item.guid : item.id),
        link: stringOf(item.link),
        title: stringOf(item.title),
        date: isoOf(item.isoDate),
      }),
    ),
  });
};

/**
 * Reads an RSS (2.0 or 1.0), Atom or JSON feed, detecting the format from the text.
 * `source` names the file or URL in error messages.
 * @throws NotAFeedError when the text is none of these or cannot be parsed.
 * @example const feed = await readFeed(await readFile('old/index.xml', 'utf8'), 'old/index.xml');
 */
export const readFeed = async (text: string, source: string): Promise<FeedRead> => {
  const format = detectFeedFormat(text);
  if (format === 'json') return readJsonFeed(text, source);
  if (format) return readXmlFeed(text, format, source);
  const root = rootElementOf(text);
  throw new NotAFeedError(
    root
      ? `${source} is not a feed: its root element is <${root}>, not <rss> or <feed>`
      : `${source} is not a feed: it is neither XML (RSS, Atom) nor a JSON Feed`,
  );
};
