import { postPagePath, postUrl, siteUrl } from '../../paths.ts';
import { slugFromPath } from '../../slug.ts';
import type { SiteConfig } from '../../types.ts';
import { dateFromFileName } from '../dates.ts';
import { postAddressOf } from '../post-address.ts';

/**
 * What a migrated Hugo or Jekyll site brings besides its posts, as plain values (it crosses worker threads and is
 * read once per batch or invocation): Hugo's site params, Jekyll's `_config.yml`, the site's own shortcode
 * templates, and the posts that exist (for ref, relref, link and post_url).
 */
export interface ContentContext {
  /** Hugo site params (`params` of hugo.toml), for the param shortcode and `.Site.Params`. */
  params: Record<string, unknown>;
  /** Jekyll's `_config.yml`, as `site.*` in Liquid. */
  jekyll: Record<string, unknown>;
  /** What the Hugo config says about where the site's pages live (for links to pages that are not posts). */
  hugo?: HugoAddressing;
  /** Hugo's whole config, keys lower-cased (`markup`, `enableemoji`, languages, services, copyright), when the site has one. */
  hugoConfig?: Record<string, unknown>;
  /** Shortcode name (`note`, `blog/quote`) to its template source (`templates/shortcodes/<name>.html`). */
  shortcodes: Record<string, string>;
  /** Shortcode name to the path its template was uploaded as (`layouts/shortcodes/note.html`), for messages. */
  shortcodePaths?: Record<string, string>;
  /** Partial name with its extension (`card.html`, `blog/byline.html`) to its source (`layouts/partials/`). */
  partials?: Record<string, string>;
  /** Hugo's translations by language (`en`, `pt-br`): id to text, or to its plural forms (`one`, `other`). */
  i18n?: Record<string, Record<string, string | Record<string, string>>>;
  /** Jekyll include name (`note.html`) to its source (`_includes/note.html`). */
  includes?: Record<string, string>;
  /** Which generator's settings were found beside the posts (a Hugo config, a Jekyll `_config.yml`). */
  generator?: 'hugo' | 'jekyll';
  /** Every uploaded file (posts, images, …), when it is known for certain (the CLI reads a whole folder). */
  files?: string[];
  /** Source paths of every post, when known; without it references are resolved from their names only. */
  sources?: string[];
}

/** The Hugo settings that decide a page's address. */
export interface HugoAddressing {
  /** `baseURL`, as written. */
  baseURL?: string;
  /** `uglyURLs: true` gives `/docs/install.html` instead of `/docs/install/`. */
  uglyURLs?: boolean;
  /** The content folders (`contentDir`, also per language), relative to the site root; `content` by default. */
  contentDirs: string[];
}

export const EMPTY_CONTENT: ContentContext = { params: {}, jekyll: {}, shortcodes: {} };

/** Everything a template in a post body can see. */
export interface TemplateContext {
  site: Pick<SiteConfig, 'baseUrl' | 'title' | 'description' | 'iframeHosts'> &
    Partial<Pick<SiteConfig, 'language' | 'timeZone' | 'siteUrl'>>;
  /** The post's title, for `{{ page.title }}` and `.Page.Title`. */
  pageTitle: string;
  /** The post's source path and front matter, for page variables. */
  page?: { sourcePath: string; params: Record<string, unknown> };
  content?: ContentContext;
}

/** A problem in the body; `line` is 1-based within the body. */
export interface BodyProblem {
  line: number;
  message: string;
  fix: string;
  severity: 'error' | 'warning';
}

/**
 * The public URL of another post named by a reference (Hugo's ref/relref, Jekyll's link and post_url): a path
 * relative to the posts folder or to the referring post, with or without its extension, or a file name alone.
 * Posts are published at `posts/<slug>/`, with the slug their file name gives, or in a site moved from Hugo or
 * Jekyll at the address its rules give the file's path (the other post's own front matter is not known here).
 * Undefined when the site's posts are known and none matches.
 * @example resolvePostReference('2024/hello.md#usage', context) // 'https://a.example/posts/hello/#usage'
 */
export const resolvePostReference = (reference: string, context: TemplateContext): string | undefined => {
  const [pathPart = '', anchor] = reference.trim().split('#', 2);
  const target = pathPart
    .replace(/^\/+/, '')
    .replace(/^(?:content\/)?(?:posts?\/|_posts\/)?/, '')
    .replace(/\/+$/, '');
  const stemOf = (path: string): string => {
    const segments = path.split('/').filter(Boolean);
    const last = (segments.at(-1) ?? '').replace(/\.(md|markdown)$/i, '');
    return last === 'index' || last === '_index' ? (segments.at(-2) ?? '') : last;
  };
  let found: string | undefined = target === '' ? context.page?.sourcePath : undefined;
  const sources = context.content?.sources;
  if (found === undefined && sources) {
    const from = context.page?.sourcePath ?? '';
    const folder = from.slice(0, from.lastIndexOf('/') + 1);
    const withoutExtension = (path: string) => path.replace(/\.(md|markdown)$/i, '').replace(/\/(_?index)$/, '');
    const wanted = withoutExtension(target);
    found =
      sources.find((source) => withoutExtension(source) === wanted) ??
      sources.find((source) => withoutExtension(source) === withoutExtension(folder + target)) ??
      sources.find((source) => stemOf(source) === stemOf(target));
    if (found === undefined) return undefined;
  }
  if (target === '' && found === undefined) return undefined;
  const url =
    addressedPostUrl(found ?? target, context) ??
    siteUrl(context.site, postPagePath(slugFromPath(found ?? target, stemOf(target) || 'post')));
  return anchor ? `${url}#${anchor}` : url;
};

/** Where another post of a moved site lives, from its path alone (date from its file name). */
const addressedPostUrl = (sourcePath: string, context: TemplateContext): string | undefined => {
  const generator = context.content?.generator;
  if (!generator || !context.content) return undefined;
  const timeZone = context.site.timeZone ?? 'UTC';
  const fileName = sourcePath.slice(sourcePath.lastIndexOf('/') + 1);
  const date = dateFromFileName(fileName, timeZone) ?? new Date(0);
  const address = postAddressOf({ sourcePath, data: {}, title: '', date }, context.content, generator, timeZone);
  return address ? postUrl({ ...context.site, timeZone }, address.path, date) : undefined;
};
