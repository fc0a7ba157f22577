/**
 * The shared vocabulary of the core. Values only: nothing here touches I/O or the clock.
 */

/** One thing wrong with an input, phrased for the author who has to fix it. */
export interface Problem {
  /** The file as the author knows it: a path relative to the posts folder or the S3 key. */
  file: string;
  /** 1-based line in the source file, when the problem has one. */
  line?: number;
  /** The front matter field (or `body`) the problem is about. */
  field?: string;
  /** What is wrong, naming the offending value where that helps. */
  message: string;
  /** What the author should do about it. */
  fix: string;
  /** Errors stop the post from publishing; warnings are reported and the post still publishes. */
  severity: 'error' | 'warning';
}

export interface Author {
  name: string;
  email?: string;
  url?: string;
}

/** Site-wide settings; see site-config.ts for validation and defaults. */
export interface SiteConfig {
  title: string;
  description: string;
  /** Absolute http(s) URL of the public site, always ending in `/`. */
  baseUrl: string;
  /**
   * The address of the author's own site (a migrated Hugo or Jekyll blog), ending in `/`: links in posts to its
   * pages that are not posts (about, docs) point there. Without it, the site's `_config.yml` or Hugo config says.
   */
  siteUrl?: string;
  /** BCP 47 language tag, e.g. `en` or `en-GB`. */
  language: string;
  author?: Author;
  /** How many of the newest posts the feeds carry. */
  feedSize: number;
  /** Posts listed per archive page. */
  pageSize: number;
  /** IANA time zone used for date-only and zone-less front matter dates, and for displaying dates. */
  timeZone: string;
  /**
   * When set, post links in feeds and mail point at an existing blog instead of the archive pages.
   * Placeholders: `:year`, `:month`, `:day`, `:slug`. Example: `https://blog.example.com/:year/:month/:slug/`.
   */
  permalink?: string;
  /**
   * Feed item ids of new posts: `tag` mints tag URIs (RFC 4151); `generator` keeps the id the site's old generator
   * gave (jekyll-feed's `<id>`, Hugo's RSS `<guid>`), so feed readers of a moved blog see nothing again. Default:
   * `generator` in a site with a Hugo or Jekyll config, `tag` otherwise. A published post's id never changes.
   */
  idScheme?: 'tag' | 'generator';
  /** Largest Markdown file accepted, in bytes. */
  maxPostBytes: number;
  /** Host names whose iframes survive sanitizing (video players and the like). */
  iframeHosts: string[];
  /** The site's own host name, served by CloudFront with an ACM certificate; without it, the *.cloudfront.net name. */
  domain?: CustomDomain;
  /** Who mail comes from; required for subscriptions and digests. */
  mail?: MailConfig;
  /** When digests of new posts go out. */
  digest: DigestConfig;
}

export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

export interface DigestConfig {
  /** `immediate`: a mail per newly published post (within minutes); `daily`/`weekly`: a digest at `time`. */
  cadence: 'immediate' | 'daily' | 'weekly';
  /** Weekly digests go out on this day. */
  day: Weekday;
  /** `HH:MM`, 24-hour, in `timeZone`. */
  time: string;
  /** IANA zone of `day` and `time` (default: the site's). */
  timeZone: string;
  /** A digest with fewer new posts is not sent; the posts wait for the next one. */
  minPosts: number;
  /** Posts shown in one digest; beyond this the mail counts the rest and links to the archive. */
  maxPosts: number;
}

export interface CustomDomain {
  /** Lower-case host name, e.g. `news.example.org`; `baseUrl` is then `https://<name>/`. */
  name: string;
  /** ARN of an ACM certificate in us-east-1 (the only region CloudFront takes certificates from) covering `name`. */
  certificateArn: string;
}

export interface MailConfig {
  /** Sender address; in SES it must belong to a verified identity. */
  from: string;
  /** Display name of the sender (default: the site title). */
  fromName: string;
  replyTo?: string;
  /** Postal address printed in every mail's footer (CAN-SPAM). */
  postalAddress: string;
}

/** A post parsed from Markdown, ready for publishing decisions (drafts and schedules are not decided yet). */
export interface Post {
  /** Path of the source relative to the posts root, with `/` separators, e.g. `2024/hello-world.md`. */
  sourcePath: string;
  /**
   * The post's unique name: the URL path segment of its page (`hello` is `posts/hello/`), or, in a site moved from
   * Hugo or Jekyll, the site path its generator gave it (`/2024/hello/`, starting with `/`; see isAddress).
   */
  slug: string;
  /** Stable id the author set in front matter (`id`), if any. */
  authorId?: string;
  /** In a site moved from Hugo or Jekyll: the absolute feed item id its generator gave the post (see idScheme). */
  generatorId?: string;
  /** Old addresses of the post (Hugo `aliases`, Jekyll `redirect_from`), as site paths: they answer 301 to it. */
  aliases?: string[];
  title: string;
  /** When the post is dated (front matter `date`, else `publishDate`). */
  date: Date;
  /** Last modification (front matter `lastmod`/`updated`/`last_modified_at`), if any and later than `date`. */
  updated?: Date;
  /** Hold until this instant (front matter `publishDate`), if later than `date`. */
  publishAt?: Date;
  /** Withdraw after this instant (front matter `expiryDate`). */
  expiresAt?: Date;
  draft: boolean;
  /** Plain text summary: front matter description/summary, else the excerpt before `<!--more-->`, else the opening text. */
  summary: string;
  /** Sanitized HTML of the whole body, every URL absolute. */
  html: string;
  /** Sanitized HTML of the excerpt (before `<!--more-->`), or undefined when the post has no marker. */
  excerptHtml?: string;
  tags: string[];
  categories: string[];
  authors: Author[];
  /** First image of the post (absolute URL), for cards and feed thumbnails. */
  image?: string;
  /** Public URL of the post's page (archive page or the configured permalink). */
  url: string;
}

/** The result of parsing one file: a post when there is no error, and every problem found either way. */
export interface ParseResult {
  post?: Post;
  problems: Problem[];
}

/**
 * A post as it is published: what feeds, pages and mail are rendered from. Serialisable (dates are ISO strings),
 * because the publish function stores it and renders from the store.
 */
export interface PublishedPost {
  /** The feed item id (RSS guid, Atom id, JSON Feed id). Never changes once published. */
  id: string;
  sourcePath: string;
  /** The post's unique name (see Post.slug): a slug, or the site path of its page. */
  slug: string;
  /** Old addresses from the front matter (Hugo `aliases`, Jekyll `redirect_from`), as site paths. */
  aliases?: string[];
  /** Addresses the post had before its slug or file name changed here, as site paths: they answer 301 to it. */
  movedFrom?: string[];
  url: string;
  title: string;
  /** ISO 8601 instant. */
  date: string;
  /** ISO 8601 instant; absent when never edited after `date`. */
  updated?: string;
  summary: string;
  html: string;
  excerptHtml?: string;
  tags: string[];
  categories: string[];
  authors: Author[];
  image?: string;
}

/** What list pages need of a post: everything but the bodies. */
export type PostSummary = Omit<PublishedPost, 'html' | 'excerptHtml'>;

/** One month of the archive, e.g. `{ month: '2024-11', count: 3 }`. */
export interface MonthRef {
  month: string;
  count: number;
  /** The month's posts, newest first (absent in months stored before entries were kept). */
  posts?: ArchiveEntry[];
}

/** What the archive keeps of a post: enough for lists, previous/next links, tag pages and sitemaps. */
export interface ArchiveEntry {
  slug: string;
  sourcePath: string;
  title: string;
  /** ISO 8601 instants. */
  date: string;
  updated?: string;
  tags: string[];
}

/** A file of the public site. */
export interface PublicFile {
  /** Path below the site root, e.g. `posts/hello/index.html`. */
  path: string;
  body: string | Uint8Array;
  /**
   * Set on an alias file (an old address of a post): where the address now lives, as a site path (`/2024/hello/`)
   * or an absolute URL. The body is then a Hugo-style alias page for static hosts; hosts that can answer with a
   * status (the stack's CloudFront, the local run) answer 301 to this location instead.
   */
  redirectTo?: string;
}
