import { addressFile, canonicalAddress, datePartsIn, siteFileAt, unsafeAddress } from '../paths.ts';
import type { Problem, SiteConfig } from '../types.ts';
import { DAYS, MONTHS } from './templating/go/time.ts';

/**
 * The address a moved Hugo or Jekyll site gave a post, so it keeps it here: a site path with a leading slash,
 * ending in `/` for a folder (`/blog/2024/11/hello/`) or naming a file (`/2024/hello.html`). Computed from the
 * site's own permalink rules the way the generator computes it (Jekyll 4.3's Document#url and Hugo 0.111's
 * permalinks, measured with the Debian binaries). An address Jekyll writes without an extension or a slash
 * (`/:year/:title`) is published as a folder: the edge answers its slash-less form with a 301 to the folder.
 */
/** What of a moved site's settings decides addresses (a structural part of the templating AddressSettings). */
export interface AddressSettings {
  /** Jekyll's `_config.yml`. */
  jekyll: Record<string, unknown>;
  /** Where a Hugo site's pages live. */
  hugo?: { baseURL?: string; uglyURLs?: boolean; contentDirs: string[] };
  /** Hugo's whole config, keys lower-cased. */
  hugoConfig?: Record<string, unknown>;
  generator?: 'hugo' | 'jekyll';
}

export interface AddressInput {
  /** Path of the source file as uploaded (`_posts/2024-11-14-hello.md`, `content/blog/hello.md`). */
  sourcePath: string;
  /** The post's front matter as written (raw values: `slug`, `url`, `permalink`, `categories`, `title`). */
  data: Record<string, unknown>;
  title: string;
  date: Date;
}

export interface PostAddress {
  /** Site path of the post's page, e.g. `/2024/hello/` or `/2024/hello.html`. */
  path: string;
  /** Other addresses the old site answered for the post (Jekyll's `/2024/hello.html` for `/2024/hello`). */
  alsoAt?: string[];
  /**
   * The feed item id the old generator gave the post, relative to the old site's root: Jekyll's Document#id (the
   * URL's folder joined with the post's slug; jekyll-feed's `<id>`), Hugo's permalink (its RSS `<guid>`).
   */
  generatorId: string;
}

/**
 * The post's address under its generator's rules, or undefined for a post of no known generator (it keeps
 * `posts/<slug>/`).
 * @example postAddressOf({ sourcePath: '_posts/2024-11-14-hello.md', data: {}, title: 'Hello', date }, content, 'UTC')?.path // '/2024/11/14/hello.html'
 */
export const postAddressOf = (
  input: AddressInput,
  content: AddressSettings,
  generator: 'hugo' | 'jekyll' | undefined,
  timeZone: string,
): PostAddress | undefined => {
  const address =
    generator === 'jekyll'
      ? jekyllAddress(input, content.jekyll, timeZone)
      : generator === 'hugo'
        ? hugoAddress(input, content, timeZone)
        : undefined;
  return address && { ...address, path: canonicalAddress(address.path) };
};

// ---------------------------------------------------------------------------------------------------------------
// Jekyll
// ---------------------------------------------------------------------------------------------------------------

/** Jekyll's Configuration#style_to_permalink: the built-in styles. */
const JEKYLL_STYLES: Record<string, string> = {
  date: '/:categories/:year/:month/:day/:title:output_ext',
  pretty: '/:categories/:year/:month/:day/:title/',
  ordinal: '/:categories/:year/:y_day/:title:output_ext',
  weekdate: '/:categories/:year/W:week/:short_day/:title:output_ext',
  none: '/:categories/:title:output_ext',
};

/** An address naming a page file; any other (`/blog/swift-5.1`) is a folder. */
const PAGE_FILE = /\.(html?|xhtml)$/i;

const DATED_NAME = /^(\d{2,4}-\d{1,2}-\d{1,2})-(.*?)(\.[^.]+)?$/;

const jekyllAddress = (input: AddressInput, config: Record<string, unknown>, timeZone: string): PostAddress => {
  const data = { ...jekyllDefaults(input.sourcePath, config), ...input.data };
  const fileName = input.sourcePath.slice(input.sourcePath.lastIndexOf('/') + 1);
  const basename = fileName.replace(/\.[^.]*$/, '');
  // Jekyll sets a post's slug from its file name (`2024-11-14-hello.md` is `hello`) unless the front matter has one.
  const slug = stringOf(data.slug) ?? DATED_NAME.exec(fileName)?.[2] ?? basename;
  const zone = typeof config.timezone === 'string' && config.timezone !== '' ? config.timezone : timeZone;
  const template =
    stringOf(data.permalink) ?? postsCollectionPermalink(config) ?? styleTemplate(stringOf(config.permalink) ?? 'date');
  const values = jekyllPlaceholders(
    input,
    { slug, basename, categories: jekyllCategories(data, input.sourcePath) },
    zone,
  );
  const url = jekyllSanitize(fillJekyll(template, values));
  // Jekyll writes `<url>.html` for a URL that does not end in `.html` or `/`, and its host serves it at the URL. Here
  // it is a folder (`/a/b` answers 301 to `/a/b/`), unless the last segment has a dot: such a name is a page served
  // from `<url>.html` (paths.ts fileNameKind), where Jekyll wrote it too (`/blog/julia-0.7`).
  const last = url.slice(url.lastIndexOf('/') + 1);
  const folder = url.endsWith('/') || PAGE_FILE.test(url) || last.includes('.') ? url : `${url}/`;
  // Document#id: File.join(File.dirname(url), slug), where File.dirname ignores a trailing slash.
  const trimmed = url.replace(/\/+$/, '');
  const dirname = trimmed.slice(0, trimmed.lastIndexOf('/')) || '';
  // Jekyll wrote such a page as `<url>.html`, which its hosts also serve at that name: it redirects here.
  const alsoAt = folder === url ? [] : [`${url}.html`];
  return { path: folder, generatorId: `${dirname}/${escapeJekyll(slug)}`, ...(alsoAt.length ? { alsoAt } : {}) };
};

const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : typeof value === 'number' ? String(value) : undefined;

const styleTemplate = (style: string): string => JEKYLL_STYLES[style] ?? style;

/** `collections: { posts: { permalink } }` in `_config.yml`, which Jekyll prefers to the site's style. */
const postsCollectionPermalink = (config: Record<string, unknown>): string | undefined => {
  const collections = config.collections;
  if (!collections || typeof collections !== 'object' || Array.isArray(collections)) return undefined;
  const posts = (collections as Record<string, unknown>).posts;
  return posts && typeof posts === 'object' ? stringOf((posts as Record<string, unknown>).permalink) : undefined;
};

/**
 * Front matter defaults (`defaults:` in `_config.yml`) that apply to a post, merged the way Jekyll's
 * FrontmatterDefaults does: a scope with a longer path wins over a shorter one, one naming a type over one that
 * does not, and otherwise the later entry wins.
 */
const jekyllDefaults = (sourcePath: string, config: Record<string, unknown>): Record<string, unknown> => {
  const sets = Array.isArray(config.defaults) ? config.defaults : [];
  const applying = sets.flatMap((set, order) => {
    if (!set || typeof set !== 'object') return [];
    const { scope, values } = set as { scope?: Record<string, unknown>; values?: unknown };
    if (!values || typeof values !== 'object') return [];
    const scopePath = String(scope?.path ?? '').replace(/^\.?\/+|\/+$/g, '');
    const type = scope?.type;
    if (type !== undefined && type !== 'posts') return [];
    if (scopePath !== '' && !pathInScope(sourcePath, scopePath)) return [];
    return [
      { values: values as Record<string, unknown>, length: scopePath.length, typed: type === undefined ? 0 : 1, order },
    ];
  });
  applying.sort((a, b) => a.length - b.length || a.typed - b.typed || a.order - b.order);
  return Object.assign({}, ...applying.map((set) => set.values));
};

const pathInScope = (sourcePath: string, scopePath: string): boolean => {
  if (!scopePath.includes('*')) return sourcePath === scopePath || sourcePath.startsWith(`${scopePath}/`);
  const pattern = scopePath.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${pattern}(/|$)`).test(sourcePath);
};

/**
 * A post's categories as Jekyll merges them: `categories` (a list, or words in a string), then the folders above
 * `_posts`, then `category`, each once.
 */
const jekyllCategories = (data: Record<string, unknown>, sourcePath: string): string[] => {
  const listed = data.categories;
  const own = typeof listed === 'string' ? listed.split(/\s+/).filter(Boolean) : Array.isArray(listed) ? listed : [];
  const at = sourcePath.lastIndexOf('_posts/');
  const folders = at > 0 ? sourcePath.slice(0, at).split('/').filter(Boolean) : [];
  const single = data.category;
  const extra = typeof single === 'string' ? single.split(/\s+/).filter(Boolean) : Array.isArray(single) ? single : [];
  return [...new Set([...own, ...folders, ...extra].map((value) => String(value)))];
};

const LONG_MONTHS = MONTHS;
const LONG_DAYS = DAYS;
const SHORT_MONTHS = MONTHS.map((name) => name.slice(0, 3));
const SHORT_DAYS = DAYS.map((name) => name.slice(0, 3));

/** The calendar facts of a date in a zone that both generators' placeholders are made of. */
const calendarOf = (date: Date, timeZone: string) => {
  const { year, month, day } = datePartsIn(date, timeZone);
  const civil = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const yearDay = Math.round((civil.getTime() - Date.UTC(Number(year), 0, 1)) / 86_400_000) + 1;
  // ISO 8601 week: the week with the year's first Thursday is week 1.
  const weekday = civil.getUTCDay();
  const thursday = new Date(civil.getTime() + (3 - ((weekday + 6) % 7)) * 86_400_000);
  const week = Math.floor((thursday.getTime() - Date.UTC(thursday.getUTCFullYear(), 0, 1)) / 86_400_000 / 7) + 1;
  return { year, month, day, yearDay, weekday, week, weekYear: thursday.getUTCFullYear() };
};

const jekyllPlaceholders = (
  input: AddressInput,
  names: { slug: string; basename: string; categories: string[] },
  timeZone: string,
): Record<string, string> => {
  const when = calendarOf(input.date, timeZone);
  const monthIndex = Number(when.month) - 1;
  return {
    collection: 'posts',
    path: `/${input.sourcePath.replace(/\.[^./]*$/, '')}`,
    name: jekyllSlugify(names.basename),
    title: jekyllSlugify(names.slug, true),
    slug: jekyllSlugify(names.slug),
    categories: [...new Set(names.categories.map((category) => category.toLowerCase()))].join('/'),
    slugified_categories: [...new Set(names.categories.map((category) => jekyllSlugify(category)))].join('/'),
    year: when.year,
    month: when.month,
    day: when.day,
    i_month: String(Number(when.month)),
    i_day: String(Number(when.day)),
    short_year: when.year.slice(-2),
    short_month: SHORT_MONTHS[monthIndex] ?? '',
    long_month: LONG_MONTHS[monthIndex] ?? '',
    y_day: String(when.yearDay).padStart(3, '0'),
    w_year: String(when.weekYear),
    week: String(when.week).padStart(2, '0'),
    w_day: String(when.weekday === 0 ? 7 : when.weekday),
    short_day: SHORT_DAYS[when.weekday] ?? '',
    long_day: LONG_DAYS[when.weekday] ?? '',
    output_ext: '.html',
    ...clockOf(input.date, timeZone),
  };
};

const clockOf = (date: Date, timeZone: string): { hour: string; minute: string; second: string } => {
  const text = date.toLocaleTimeString('en-GB', { timeZone, hour12: false });
  const [hour = '00', minute = '00', second = '00'] = text.split(':');
  return { hour: hour.replace(/^24$/, '00'), minute, second };
};

/**
 * Jekyll's URL#generate_url_from_drop: each `:name` becomes its value, path-escaped; `:name_` is `:name` followed by
 * an underscore when there is no placeholder of the longer name. An unknown name is left as written.
 */
const fillJekyll = (template: string, values: Record<string, string>): string =>
  template.replace(/:([a-z_]+)/g, (match, name: string) => {
    const own = values[name];
    if (own !== undefined) return escapeJekyll(own);
    const shorter = name.endsWith('_') ? values[name.slice(0, -1)] : undefined;
    return shorter === undefined ? match : `${escapeJekyll(shorter)}_`;
  });

/** Jekyll's URL.escape_path: characters outside a path segment's own alphabet are percent-encoded. */
const escapeJekyll = (value: string): string =>
  /^[a-zA-Z0-9./-]*$/.test(value) ? value : escapeExcept(value, /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/);

/** Jekyll's URL#sanitize_url: one leading slash, no `..`, no `./`, no doubled slashes. */
const jekyllSanitize = (path: string): string =>
  `/${path}`
    .replaceAll('..', '/')
    .replaceAll('./', '')
    .replace(/\/{2,}/g, '/');

/** Jekyll's Utils.slugify in `default` mode, or `pretty` mode with case kept (for `:title`). */
export const jekyllSlugify = (text: string, pretty = false): string => {
  const replaced = pretty ? /[^\p{M}\p{L}\p{Nd}._~!$&'()+,;=@]+/gu : /[^\p{M}\p{L}\p{Nd}]+/gu;
  const slug = text.replace(replaced, '-').replace(/^-|-$/g, '');
  return pretty ? slug : slug.toLowerCase();
};

// ---------------------------------------------------------------------------------------------------------------
// Hugo
// ---------------------------------------------------------------------------------------------------------------

const hugoAddress = (input: AddressInput, content: AddressSettings, timeZone: string): PostAddress => {
  const config = content.hugoConfig ?? {};
  const lower = config.disablepathtolower !== true;
  const ugly = content.hugo?.uglyURLs === true || config.uglyurls === true;
  const own = stringOf(input.data.url);
  const relative = contentPathOf(input.sourcePath, content.hugo?.contentDirs ?? ['content']);
  const segments = relative.split('/');
  const fileName = segments.pop() ?? '';
  const bundle = /^(index|_index)\.[^.]+$/.test(fileName);
  const folders = bundle ? segments.slice(0, -1) : segments;
  const filename = bundle ? (segments.at(-1) ?? '') : fileName.replace(/\.[^.]*$/, '');
  const section = folders[0] ?? '';
  const slug = stringOf(input.data.slug);
  // A page's own `url` is taken as written (case kept); a path Hugo builds is sanitized, then lower-cased unless
  // disablePathToLower, then escaped.
  if (own !== undefined) {
    // A `url` naming a file with a dot (`/notes/v1.2`) is that page; any other is a folder.
    const written = own.startsWith('/') ? own : `/${own}`;
    const last = written.slice(written.lastIndexOf('/') + 1);
    const page = last.includes('.') ? written : hugoFolder(written, false);
    const path = escapePath(page).replace(/\/{2,}/g, '/');
    return { path, generatorId: path };
  }
  const pattern = hugoPermalinkFor(config, section);
  let built: string;
  if (pattern !== undefined) {
    const when = calendarOf(input.date, timeZone);
    const values: Record<string, string> = {
      year: when.year,
      month: when.month,
      monthname: LONG_MONTHS[Number(when.month) - 1] ?? '',
      day: when.day,
      weekday: String(when.weekday),
      weekdayname: LONG_DAYS[when.weekday] ?? '',
      yearday: String(when.yearDay),
      section,
      sections: folders.join('/'),
      title: placeholder(input.title),
      slug: placeholder(slug ?? input.title),
      filename: placeholder(filename),
      slugorfilename: placeholder(slug ?? filename),
    };
    const filled = pattern.replace(/:([a-z]+)/g, (match, name: string) => values[name] ?? match);
    built = hugoFolder(filled.startsWith('/') ? filled : `/${filled}`, ugly);
  } else {
    built = hugoFolder(`/${[...folders, slug ?? filename].map((part) => hugoSanitize(part)).join('/')}`, ugly);
  }
  const path = escapePath((lower ? built.toLowerCase() : built).replace(/\/{2,}/g, '/'));
  return { path, generatorId: path };
};

/** Hugo 0.111 reads `permalinks` as section to pattern (newer Hugo also nests them under `page`). */
const hugoPermalinkFor = (config: Record<string, unknown>, section: string): string | undefined => {
  const permalinks = config.permalinks;
  if (!permalinks || typeof permalinks !== 'object') return undefined;
  const table = permalinks as Record<string, unknown>;
  const page = table.page && typeof table.page === 'object' ? (table.page as Record<string, unknown>) : undefined;
  return stringOf(page?.[section.toLowerCase()]) ?? stringOf(table[section.toLowerCase()]);
};

/** A Hugo page path: a folder (`/a/b/`) unless it names a file, or `uglyURLs` makes it `/a/b.html`. */
const hugoFolder = (path: string, ugly: boolean): string => {
  if (PAGE_FILE.test(path)) return path;
  if (ugly && !path.endsWith('/')) return `${path}.html`;
  if (ugly) return `${path.replace(/\/+$/, '')}.html`;
  return path.endsWith('/') ? path : `${path}/`;
};

/**
 * Hugo 0.111's path sanitizing (helpers.UnicodeSanitize), as measured with the Debian binary: letters, digits,
 * marks and `. / \\ _ # + ~ - @` stay; everything else goes, and a run of spaces and dropped characters between kept
 * ones becomes one `-` (none next to a `-`).
 * @example hugoSanitize('Tips & Tricks') // 'Tips-Tricks'
 */
export const hugoSanitize = (text: string): string => {
  let out = '';
  let hyphen = false;
  for (const char of text) {
    if (/[\p{L}\p{Nd}\p{M}./\\_#+~@-]/u.test(char)) {
      if (hyphen && char !== '-' && out !== '' && !out.endsWith('-')) out += '-';
      hyphen = false;
      out += char;
    } else if (out !== '' && /\s/u.test(char)) {
      hyphen = true;
    }
  }
  return out;
};

/**
 * The folder Hugo gives a taxonomy term (a tag's `tags/<term>/`): its sanitized, lower-cased name.
 * @example hugoPathOf('Node.js') // 'node.js'
 */
export const hugoPathOf = (text: string): string => hugoSanitize(text.trim()).toLowerCase();

/** A value for a permalink pattern's `:title`, `:slug` or `:filename`: sanitized, then without `+` (Hugo 0.111). */
const placeholder = (text: string): string => hugoSanitize(text).replaceAll('+', '');

/** A path escaped as Hugo's permalinks are: characters outside ASCII as UTF-8 percent-escapes (upper-case hex). */
const escapePath = (path: string): string => escapeExcept(path, /[\x21-\x7e]/);

/** Each character `kept` does not match, as its UTF-8 bytes percent-escaped with upper-case hex. */
const escapeExcept = (text: string, kept: RegExp): string =>
  [...text]
    .map((char) =>
      kept.test(char)
        ? char
        : [...new TextEncoder().encode(char)]
            .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
            .join(''),
    )
    .join('');

/** A source path relative to the content folder it is in (`content/en/blog/a.md` -> `en/blog/a.md`). */
const contentPathOf = (source: string, contentDirs: readonly string[]): string => {
  const dirs = contentDirs.length > 0 ? contentDirs : ['content'];
  const folder = [...dirs].sort((a, b) => b.length - a.length).find((dir) => source.startsWith(`${dir}/`));
  return folder === undefined ? source : source.slice(folder.length + 1);
};

// ---------------------------------------------------------------------------------------------------------------
// Old addresses
// ---------------------------------------------------------------------------------------------------------------

/**
 * The post's old addresses as site paths: Hugo's `aliases` (one not starting with `/` is taken from the folder of
 * the post's page, as Hugo does) and jekyll-redirect-from's `redirect_from` (from the site root). An address on
 * another host, or one that is not a path, is left out with a warning.
 * @example aliasesOf({ aliases: ['old'] }, '/blog/2024/hello/', 'hugo', 'a.md').aliases // ['/blog/2024/old']
 */
export const aliasesOf = (
  data: Record<string, unknown>,
  pagePath: string,
  generator: 'hugo' | 'jekyll' | undefined,
  file: string,
  site: Pick<SiteConfig, 'feedPaths'> = {},
): { aliases: string[]; problems: Problem[] } => {
  const problems: Problem[] = [];
  const aliases: string[] = [];
  for (const field of ['aliases', 'redirect_from'] as const) {
    const value = data[field];
    if (value === undefined || value === null) continue;
    const listed = Array.isArray(value) ? value : [value];
    const from = generator === 'jekyll' || field === 'redirect_from' ? '/' : pagePath.replace(/[^/]*\/?$/, '');
    for (const entry of listed) {
      const alias = typeof entry === 'string' || typeof entry === 'number' ? String(entry).trim() : '';
      const resolved = alias === '' ? undefined : resolveAlias(alias, from);
      // jekyll-redirect-from writes `/old/page` as `old/page.html`, which its hosts also serve at that name.
      if (field === 'redirect_from' && resolved?.endsWith('/') && !alias.endsWith('/')) {
        const html = `${resolved.slice(0, -1)}.html`;
        if (html !== pagePath && !aliases.includes(html) && siteFileAt(addressFile(html), site) === undefined)
          aliases.push(html);
      }
      const taken = resolved === undefined ? undefined : siteFileAt(addressFile(resolved), site);
      if (taken !== undefined) {
        problems.push({
          file,
          field,
          message: `The old address ${resolved} in ${field} is ${taken}, so it cannot redirect to this post.`,
          fix: `Remove ${resolved} from ${field}.`,
          severity: 'warning',
        });
      } else if (resolved === undefined) {
        problems.push({
          file,
          field,
          message: `The old address ${JSON.stringify(entry)} in ${field} is not a path on this site, so nothing redirects from it.`,
          fix: `Write each old address as a path such as /2019/01/old-name/ (no https://, host, ? or #).`,
          severity: 'warning',
        });
      } else if (addressFile(resolved) !== addressFile(pagePath) && !aliases.includes(resolved)) {
        aliases.push(resolved);
      }
    }
  }
  return { aliases, problems };
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
const NOT_A_PATH = /^[a-z][a-z0-9+.-]*:|^\/\/|[?#\\\u0000-\u001f\u007f]/i;

const resolveAlias = (alias: string, folder: string): string | undefined => {
  if (NOT_A_PATH.test(alias)) return undefined;
  const path = canonicalAddress(new URL(alias, `https://site.invalid${folder}`).pathname);
  if (path === '/' || unsafeAddress(path) !== undefined) return undefined;
  // An address without a file name's dot is a folder: `/old/page` is served (and redirected) as `/old/page/`.
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last === '' || last.includes('.') ? path : `${path}/`;
};

/**
 * Where the old generator's ids were rooted: the author's own site (`siteUrl`), else `url` + `baseurl` of
 * `_config.yml` or an absolute `baseURL` of the Hugo config, else this site's address.
 * @example oldSiteRoot({ baseUrl: 'https://new.example/' }, { jekyll: { url: 'https://old.example', baseurl: '/blog' } }) // 'https://old.example/blog/'
 */
export const oldSiteRoot = (
  site: { baseUrl: string; siteUrl?: string },
  content: Pick<AddressSettings, 'jekyll' | 'hugo' | 'generator'>,
): string => {
  if (site.siteUrl) return site.siteUrl;
  const candidate =
    content.generator === 'jekyll'
      ? typeof content.jekyll.url === 'string' && content.jekyll.url !== ''
        ? `${content.jekyll.url.replace(/\/+$/, '')}/${String(content.jekyll.baseurl ?? '').replace(/^\/+|\/+$/g, '')}`
        : undefined
      : content.hugo?.baseURL;
  if (candidate === undefined || !/^https?:\/\/[^/]/i.test(candidate) || !URL.canParse(candidate)) return site.baseUrl;
  return candidate.endsWith('/') ? candidate : `${candidate}/`;
};

/** An id relative to the old site's root made absolute (`/2024/hello` on `https://old.example/blog/`). */
export const absoluteId = (root: string, relative: string): string => new URL(relative.replace(/^\/+/, ''), root).href;

/**
 * The absolute id the old generator gave a post. jekyll-feed joins `url`, `baseurl` and the id as strings (Jekyll's
 * absolute_url), so a `url` ending in `/` gives `https://old.example//2024/hello`, and readers hold exactly that;
 * Hugo's permalink is `baseURL` joined as a URL. In companion mode, or without an absolute site address, the id is
 * rooted at `siteUrl` or this site.
 * @example generatorIdOf({ baseUrl: 'https://n.example/' }, { jekyll: { url: 'https://o.example/' }, generator: 'jekyll' }, '/a') // 'https://o.example//a'
 */
export const generatorIdOf = (
  site: { baseUrl: string; siteUrl?: string },
  content: Pick<AddressSettings, 'jekyll' | 'hugo' | 'generator'>,
  relative: string,
): string => {
  const url = content.jekyll.url;
  if (!site.siteUrl && content.generator === 'jekyll' && typeof url === 'string' && /^https?:\/\/[^/]/i.test(url)) {
    const baseurl = String(content.jekyll.baseurl ?? '').replace(/\/+$/, '');
    const withSlash = (part: string) => (part === '' || part.startsWith('/') ? part : `/${part}`);
    return `${url}${withSlash(baseurl)}${withSlash(relative)}`;
  }
  return absoluteId(oldSiteRoot(site, content), relative);
};
