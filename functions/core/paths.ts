import { dateTimeFormat } from './intl-cache.ts';
import type { SiteConfig } from './types.ts';

/**
 * Where every public file lives, relative to the site root (the `site/` prefix of the bucket, the CLI's --out
 * folder, the dev server's root). One place, so the publisher, the CLI, the pages and the stack agree.
 */
export const SITE_FILES = {
  rss: 'feed.xml',
  atom: 'atom.xml',
  json: 'feed.json',
  index: 'index.html',
  archive: 'archive/index.html',
  subscribe: 'subscribe/index.html',
  stylesheet: 'style.css',
  favicon: 'favicon.svg',
  notFound: '404.html',
  robots: 'robots.txt',
  sitemap: 'sitemap.xml',
} as const;

/** Page of one tag: `tags/<tag slug>/index.html`; its feeds sit beside it (`feed.xml`, `atom.xml`, `feed.json`). */
export const tagPagePath = (tagSlug: string): string => `tags/${tagSlug}/index.html`;

/** The three feeds of one tag, as paths (the site's own feed names, in the tag's folder). */
export const tagFeedPaths = (tagSlug: string): { rss: string; atom: string; json: string } => ({
  rss: `tags/${tagSlug}/${SITE_FILES.rss}`,
  atom: `tags/${tagSlug}/${SITE_FILES.atom}`,
  json: `tags/${tagSlug}/${SITE_FILES.json}`,
});

/** The sitemap of one archive month (`sitemaps/2024-11.xml`), listed by the sitemap index `sitemap.xml`. */
export const monthSitemapPath = (month: string): string => `sitemaps/${month}.xml`;

/**
 * Page of one post: `posts/<slug>/index.html`, or for a post that kept its old generator's address (a slug that is
 * a site path, `/2024/hello/` or `/2024/hello.html`) the file at that address.
 * @example postPagePath('/blog/2024/hello/') // 'blog/2024/hello/index.html'
 */
export const postPagePath = (slug: string): string =>
  isAddress(slug) ? addressFile(slug) : `posts/${slug}/index.html`;

/**
 * The site path a post's unique name stands for: the name itself when it is a site path, `/posts/<slug>/` for a slug.
 * @example addressOfName('hello') // '/posts/hello/'
 */
export const addressOfName = (name: string): string => (isAddress(name) ? name : `/posts/${name}/`);

/**
 * The unique name of the page at a site path: `/posts/<slug>/` is the slug's own page, so both name one file and
 * one key; any other path is its own name. Alias claims and page marks use it, so one file has one writer.
 * @example pageNameOfAddress('/posts/hello/') // 'hello'
 */
export const pageNameOfAddress = (address: string): string =>
  /^\/posts\/([a-z0-9]+(?:-[a-z0-9]+)*)\/$/.exec(address)?.[1] ?? address;

/**
 * Where the page of a post's unique name is read: its own page here, or in companion mode (`siteUrl`) the address
 * on the author's own site.
 * @example pageUrlOfName({ baseUrl: 'https://a.example/' }, '/2024/hello/') // 'https://a.example/2024/hello/'
 */
export const pageUrlOfName = (site: Pick<SiteConfig, 'baseUrl' | 'siteUrl'>, name: string): string =>
  isAddress(name) ? addressUrl(site, name) : siteUrl(site, postPagePath(name));

/** Folders of the site's own pages and routes (the API, the local outbox): no post or old address may be in one. */
const RESERVED_FOLDERS = ['archive/', 'subscribe/', 'tags/', 'sitemaps/', 'api/', '_outbox/'];

/**
 * What of the site itself is at a file, if anything: a feed, a page or a folder of the site's own, which no post's
 * page and no old address may replace.
 * @example siteFileAt('feed.xml', {}) // 'the site’s feed'
 */
export const siteFileAt = (file: string, site: Pick<SiteConfig, 'feedPaths'>): string | undefined => {
  if (Object.values(SITE_FILES).includes(file as (typeof SITE_FILES)[keyof typeof SITE_FILES])) {
    return file === SITE_FILES.index ? 'the home page' : `the site’s own ${file}`;
  }
  const folder = RESERVED_FOLDERS.find((prefix) => file.startsWith(prefix));
  if (folder) return `the site’s own ${folder} folder`;
  for (const address of Object.keys(site.feedPaths ?? {})) {
    const tagAt = address.indexOf(':tag');
    const configured = address.endsWith('/') ? `${address}index.html` : address;
    if (tagAt >= 0 ? file.startsWith(address.slice(0, tagAt)) : file === configured) return `the feed at ${address}`;
  }
  return undefined;
};

/**
 * Why a site path cannot be a page's address, or undefined when it can: it must stay inside the site once its
 * escapes are decoded (no `.` or `..` segment, no empty segment, no backslash or control character).
 * @example unsafeAddress('/a/%2e%2e/b/') // 'it has a ".." segment once decoded'
 */
export const unsafeAddress = (address: string): string | undefined => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(address);
  } catch {
    return 'it has a % that starts no escape';
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
  if (/[\\\u0000-\u001f\u007f]/.test(decoded)) return 'it has a backslash or a control character once decoded';
  const segments = decoded.replace(/^\/+/, '').replace(/\/$/, '').split('/');
  if (/^[a-z][a-z0-9+.-]*:/i.test(segments[0] ?? '')) return 'it starts like an address on another site (a scheme:)';
  if (segments.some((segment) => segment === '.' || segment === '..'))
    return 'it has a "." or ".." segment once decoded';
  if (segments.some((segment) => segment === '')) return 'it has an empty segment (//)';
  return undefined;
};

/**
 * One spelling per page of a site path, so names that reach one file are one name: `/a/index.html` is `/a/`, and
 * escapes are written with upper-case hex (`%c3%a9` is `%C3%A9`).
 * @example canonicalAddress('/caf%c3%a9/index.html') // '/caf%C3%A9/'
 */
export const canonicalAddress = (address: string): string =>
  address.replace(/%[0-9a-f]{2}/gi, (hex) => hex.toUpperCase()).replace(/\/index\.html$/, '/');

/**
 * Where readers find every post: the archive here, or in companion mode (`siteUrl`, where no archive is written
 * here) the author's own site.
 */
export const archiveUrl = (site: Pick<SiteConfig, 'baseUrl' | 'siteUrl'>): string =>
  site.siteUrl ?? siteUrl(site, SITE_FILES.archive);

/**
 * The URL of a site path on the site (or the author's own, in companion mode). Resolved as `./<path>` so that no
 * segment can be read as a scheme (`/javascript:x/` stays a path).
 */
const addressUrl = (site: Pick<SiteConfig, 'baseUrl' | 'siteUrl'>, address: string): string =>
  new URL(`./${address.replace(/^\/+/, '')}`, site.siteUrl ?? site.baseUrl).href;

/** Whether a post's unique name is a site path (its old generator's address) rather than a slug. */
export const isAddress = (name: string): boolean => name.startsWith('/');

/**
 * Extensions of the files a site serves as they are (pages, feeds, styles, images, media, documents). A last path
 * segment with another dot names a page (`/blog/julia-0.7`, `/Convex.jl`): its file is that name with `.html`,
 * where Jekyll writes it and where static hosts look. Under `posts/`, where uploaded files are published, a dot
 * always names a file. The edge's index rewrite and the local server decide the same way (fileNameKind).
 */
export const FILE_EXTENSIONS: readonly string[] = [
  ...['html', 'htm', 'xhtml', 'xml', 'json', 'txt', 'css', 'js', 'mjs', 'map', 'webmanifest', 'rss', 'atom', 'xsl'],
  ...['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'bmp', 'tif', 'tiff', 'heic'],
  ...['mp3', 'mp4', 'm4a', 'm4v', 'webm', 'ogg', 'oga', 'ogv', 'wav', 'flac', 'mov', 'vtt', 'srt'],
  ...['pdf', 'epub', 'csv', 'zip', 'gz', 'tgz', 'woff', 'woff2', 'ttf', 'otf', 'eot', 'wasm', 'asc', 'pem'],
];

/**
 * How a request path's last segment is served: `folder` (no dot: `/a/b` is the folder `/a/b/`), `file` (a known
 * extension, or anything under `posts/`), or `page` (another dot: the file is the name with `.html`).
 * @example fileNameKind('/blog/julia-0.7') // 'page'
 */
export const fileNameKind = (path: string): 'folder' | 'file' | 'page' => {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot < 0) return 'folder';
  if (/^\/?posts\//.test(path) || FILE_EXTENSIONS.includes(name.slice(dot + 1).toLowerCase())) return 'file';
  return 'page';
};

/**
 * The file that answers at a site path: a folder's `index.html`, the named file, or a page name's `.html` (see
 * FILE_EXTENSIONS); percent-escapes are decoded, because the bucket's keys (and the CLI's files) are the decoded
 * names the edge asks for.
 * @example addressFile('/news/big%20things/') // 'news/big things/index.html'
 */
export const addressFile = (address: string): string => {
  const path = address.replace(/^\/+/, '');
  const kind = path === '' || path.endsWith('/') ? 'folder' : fileNameKind(path);
  const file = kind === 'page' ? `${path}.html` : kind === 'folder' ? `${path}/index.html` : path;
  // Segment by segment, so one stray `%` leaves the rest decoded; empty segments (`//`) name no folder.
  return file
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
};

/** Archive page of one month: `archive/2024/11/index.html` for `2024-11`. */
export const monthPagePath = (month: string): string => `archive/${month.replace('-', '/')}/index.html`;

/** Public URL of a site file, from its path (`index.html` is dropped so links stay pretty). */
export const siteUrl = (site: Pick<SiteConfig, 'baseUrl'>, path: string): string =>
  new URL(path.replace(/(^|\/)index\.html$/, '$1'), site.baseUrl).href;

/**
 * Where the source file is published, as a folder URL: images uploaded beside a post are public at the same
 * relative path, so relative links in the post resolve against it.
 * @example postSourceUrl({ baseUrl: 'https://a.example/' }, '2024/hello.md') // 'https://a.example/posts/2024/'
 */
export const postSourceUrl = (site: Pick<SiteConfig, 'baseUrl'>, sourcePath: string): string =>
  new URL(sourcePath.slice(0, sourcePath.lastIndexOf('/') + 1), new URL('posts/', site.baseUrl)).href;

/**
 * Public URL of a post: the configured permalink pattern, or the archive page.
 * @example postUrl({ baseUrl: 'https://a.example/' }, 'hello', date) // 'https://a.example/posts/hello/'
 */
export const postUrl = (
  site: Pick<SiteConfig, 'baseUrl' | 'permalink' | 'timeZone' | 'siteUrl'>,
  slug: string,
  date: Date,
): string => {
  // An old generator's address lives on the author's own site in companion mode (siteUrl), here otherwise.
  if (isAddress(slug)) return addressUrl(site, slug);
  if (!site.permalink) return siteUrl(site, postPagePath(slug));
  const parts = datePartsIn(date, site.timeZone);
  return site.permalink
    .replaceAll(':year', parts.year)
    .replaceAll(':month', parts.month)
    .replaceAll(':day', parts.day)
    .replaceAll(':slug', slug);
};

/** Calendar year, month and day of an instant in a time zone, zero-padded. */
export const datePartsIn = (date: Date, timeZone: string): { year: string; month: string; day: string } => {
  const formatted = dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(date)
    .split('-');
  return { year: formatted[0] ?? '1970', month: formatted[1] ?? '01', day: formatted[2] ?? '01' };
};

/** The archive month (`YYYY-MM`) a post belongs to, in the site's time zone. */
export const monthOf = (date: Date, timeZone: string): string => {
  const { year, month } = datePartsIn(date, timeZone);
  return `${year}-${month}`;
};

const shortLived = 'public, max-age=300, stale-while-revalidate=60';

/**
 * Content-Type and Cache-Control for a public file, by its path. Feeds are polled, so they stay short-lived. A file
 * that carries its own content type (a feed whose name does not tell its format, such as an Atom `feed.xml` or
 * `feed/index.html`) is a generated document and short-lived too.
 * @example httpHeadersFor('feed/index.html', 'application/rss+xml; charset=utf-8').contentType // 'application/rss+xml; charset=utf-8'
 */
export const httpHeadersFor = (path: string, contentType?: string): { contentType: string; cacheControl: string } =>
  contentType === undefined ? headersByPath(path) : { contentType, cacheControl: shortLived };

const headersByPath = (path: string): { contentType: string; cacheControl: string } => {
  if (path === SITE_FILES.sitemap || path.startsWith('sitemaps/'))
    return { contentType: 'application/xml; charset=utf-8', cacheControl: shortLived };
  if (path.endsWith('.xml') && path.includes('atom'))
    return { contentType: 'application/atom+xml; charset=utf-8', cacheControl: shortLived };
  if (path.endsWith('.xml')) return { contentType: 'application/rss+xml; charset=utf-8', cacheControl: shortLived };
  if (path.endsWith('feed.json'))
    return { contentType: 'application/feed+json; charset=utf-8', cacheControl: shortLived };
  if (path.endsWith('.html')) return { contentType: 'text/html; charset=utf-8', cacheControl: shortLived };
  if (path.endsWith('.css')) return { contentType: 'text/css; charset=utf-8', cacheControl: 'public, max-age=3600' };
  return { contentType: contentTypeByExtension(path), cacheControl: 'public, max-age=86400' };
};

const EXTENSION_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  pdf: 'application/pdf',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
};

const contentTypeByExtension = (path: string): string =>
  EXTENSION_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
