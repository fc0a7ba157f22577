import { parse as parseToml, TomlError } from 'smol-toml';
import { describeError } from '../../errors.ts';
import type { Problem } from '../../types.ts';
import { splitFrontMatter } from '../front-matter.ts';
import type { ContentContext, HugoAddressing } from './template-context.ts';

/**
 * The files a migrated Hugo or Jekyll site keeps beside its posts, and what they give the posts: Jekyll's
 * `_config.yml` (the `site` of Liquid), Hugo's config (its `params`, language and privacy settings), the site's
 * shortcode templates (`layouts/shortcodes/` as Hugo keeps them, or `templates/shortcodes/`) and the partials they
 * include (`layouts/partials/`), Hugo's translations (`i18n/en.toml`) and Jekyll's `_includes/`.
 * They are read when posts are parsed and are never published themselves.
 */

export type SiteFileKind = 'jekyll-config' | 'hugo-config' | 'shortcode' | 'partial' | 'i18n' | 'include';

const JEKYLL_CONFIGS = new Set(['_config.yml', '_config.yaml']);
const HUGO_CONFIGS = new Set([
  'hugo.toml',
  'hugo.yaml',
  'hugo.yml',
  'hugo.json',
  'config.toml',
  'config.yaml',
  'config.yml',
  'config.json',
]);
const SHORTCODE = /^(?:layouts|templates)\/shortcodes\/(.+)\.html$/;
const PARTIAL = /^(?:layouts|templates)\/partials\/(.+\.html)$/;
const I18N = /^i18n\/([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\.(toml|ya?ml|json)$/;
const INCLUDE = /^_includes\/(.+)$/;

/** The folders (relative to the posts root) that hold site files, for stores that list by prefix. */
export const SITE_FILE_FOLDERS = [
  'layouts/shortcodes/',
  'templates/shortcodes/',
  'layouts/partials/',
  'templates/partials/',
  'i18n/',
  '_includes/',
];

/**
 * What a path relative to the posts root is, as a site file; undefined for posts and assets.
 * @example siteFileKindOf('layouts/shortcodes/note.html') // 'shortcode'
 */
export const siteFileKindOf = (path: string): SiteFileKind | undefined => {
  if (JEKYLL_CONFIGS.has(path)) return 'jekyll-config';
  if (HUGO_CONFIGS.has(path)) return 'hugo-config';
  if (SHORTCODE.test(path)) return 'shortcode';
  if (PARTIAL.test(path)) return 'partial';
  if (I18N.test(path)) return 'i18n';
  if (INCLUDE.test(path)) return 'include';
  return undefined;
};

/**
 * Reads the site files into what templates see. A settings file that cannot be read is reported (naming its line)
 * and left out, so the posts still publish with what is known.
 * @example readContentContext([{ path: '_config.yml', text: 'repository: me/blog' }]).content.jekyll.repository // 'me/blog'
 */
export const readContentContext = (
  files: readonly { path: string; text: string }[],
  sources?: readonly string[],
): { content: ContentContext; problems: Problem[] } => {
  const content: ContentContext = { params: {}, jekyll: {}, shortcodes: {}, includes: {} };
  const problems: Problem[] = [];
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    switch (siteFileKindOf(file.path)) {
      case 'jekyll-config': {
        const read = readYaml(file.path, file.text);
        problems.push(...read.problems);
        content.jekyll = { ...content.jekyll, ...read.data };
        content.generator = 'jekyll';
        break;
      }
      case 'hugo-config': {
        const read = readHugoConfig(file.path, file.text);
        problems.push(...read.problems);
        const settings = lowerKeys(read.data);
        const params = settings.params;
        if (params && typeof params === 'object') content.params = { ...content.params, ...(params as object) };
        content.hugo = hugoAddressing(settings, content.hugo);
        content.hugoConfig = { ...content.hugoConfig, ...settings };
        content.generator ??= 'hugo';
        break;
      }
      case 'shortcode': {
        const name = SHORTCODE.exec(file.path)?.[1] ?? '';
        content.shortcodes[name] = file.text;
        content.shortcodePaths = { ...content.shortcodePaths, [name]: file.path };
        break;
      }
      case 'partial':
        content.partials = { ...content.partials, [PARTIAL.exec(file.path)?.[1] ?? '']: file.text };
        break;
      case 'i18n': {
        const [, language = '', format = ''] = I18N.exec(file.path) ?? [];
        const read = readTranslations(file.path, file.text, format);
        problems.push(...read.problems);
        const key = language.toLowerCase().replace('_', '-');
        content.i18n = { ...content.i18n, [key]: { ...content.i18n?.[key], ...read.translations } };
        break;
      }
      case 'include': {
        const includes = content.includes ?? {};
        includes[INCLUDE.exec(file.path)?.[1] ?? ''] = file.text;
        content.includes = includes;
        break;
      }
      default:
        break;
    }
  }
  if (sources) content.sources = [...sources];
  return { content, problems };
};

const readYaml = (path: string, text: string): { data: Record<string, unknown>; problems: Problem[] } => {
  // The front matter reader gives YAML errors their line; the settings file is read as a block of it.
  const read = splitFrontMatter(`---\n${text.replace(/\n?$/, '\n')}---\n`, path);
  return {
    data: read.data,
    problems: read.problems.map((problem) => ({
      ...problem,
      ...(problem.line === undefined ? {} : { line: Math.max(1, problem.line - 1) }),
      message: `${problem.message} The settings in this file are not used until it is fixed.`,
      severity: 'warning',
    })),
  };
};

const readHugoConfig = (path: string, text: string): { data: Record<string, unknown>; problems: Problem[] } => {
  if (path.endsWith('.yaml') || path.endsWith('.yml')) return readYaml(path, text);
  try {
    const data = path.endsWith('.json') ? JSON.parse(text) : parseToml(text);
    return { data: data && typeof data === 'object' ? (data as Record<string, unknown>) : {}, problems: [] };
  } catch (error) {
    const line = error instanceof TomlError ? error.line : undefined;
    return {
      data: {},
      problems: [
        {
          file: path,
          ...(line === undefined ? {} : { line }),
          message: `The Hugo settings cannot be read (${describeError(error).split('\n')[0]}), so its params are not used.`,
          fix: 'Correct the file (hugo config check reads it too), then upload it again.',
          severity: 'warning',
        },
      ],
    };
  }
};

/**
 * Where a Hugo site's pages live, from its (lower-cased) settings: merged over what an earlier config file said.
 * @example hugoAddressing({ baseurl: 'https://a.example/', uglyurls: true }).uglyURLs // true
 */
const hugoAddressing = (settings: Record<string, unknown>, earlier?: HugoAddressing): HugoAddressing => {
  const folders = [settings.contentdir];
  const languages = settings.languages;
  if (languages && typeof languages === 'object') {
    for (const language of Object.values(languages)) {
      if (language && typeof language === 'object') folders.push((language as Record<string, unknown>).contentdir);
    }
  }
  // `module.mounts` with the target `content` make their sources content folders (`content/en` as `content`).
  const mounts = (settings.module as { mounts?: unknown } | undefined)?.mounts;
  if (Array.isArray(mounts)) {
    for (const mount of mounts) {
      const { source, target } = (mount ?? {}) as { source?: unknown; target?: unknown };
      if (typeof target === 'string' && target.replace(/^\/+|\/+$/g, '') === 'content') folders.push(source);
    }
  }
  const contentDirs = folders
    .filter((folder): folder is string => typeof folder === 'string' && folder.trim() !== '')
    .map((folder) => folder.trim().replace(/^\.?\/+|\/+$/g, ''));
  const baseURL = typeof settings.baseurl === 'string' ? settings.baseurl : earlier?.baseURL;
  const uglyURLs = typeof settings.uglyurls === 'boolean' ? settings.uglyurls : earlier?.uglyURLs;
  return {
    ...(baseURL === undefined ? {} : { baseURL }),
    ...(uglyURLs === undefined ? {} : { uglyURLs }),
    contentDirs: [...new Set([...(earlier?.contentDirs ?? []), ...contentDirs])],
  };
};

/**
 * A translation file: `key = "text"` or `[key]` with plural forms (`one`, `other`), as go-i18n reads TOML, YAML and
 * JSON; the older list form (`- id: key` with `translation:`) too.
 */
const readTranslations = (
  path: string,
  text: string,
  format: string,
): { translations: Record<string, string | Record<string, string>>; problems: Problem[] } => {
  const read = format === 'toml' || format === 'json' ? readHugoConfig(`${path}`, text) : readYaml(path, text);
  const problems = read.problems.map((problem) => ({
    ...problem,
    file: path,
    message: `The translations cannot be read, so templates show their keys instead: ${problem.message.replace(/ The settings in this file .*$/, '')}`,
    fix: 'Correct the file (hugo reads it too), then upload it again.',
  }));
  // go-i18n's older form: a list of { id, translation }.
  const data: Record<string, unknown> = Array.isArray(read.data)
    ? Object.fromEntries(
        (read.data as { id?: unknown; translation?: unknown }[]).map((item) => [String(item.id), item.translation]),
      )
    : read.data;
  const translations: Record<string, string | Record<string, string>> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') translations[key] = value;
    else if (value && typeof value === 'object') {
      const forms = Object.fromEntries(
        Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
      translations[key] = typeof forms.translation === 'string' ? forms.translation : forms;
    }
  }
  return { translations, problems };
};

/** Hugo reads param names case-insensitively; it keeps them lower-cased. */
const lowerKeys = (value: object): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.toLowerCase(),
      inner && typeof inner === 'object' && !Array.isArray(inner) ? lowerKeys(inner) : inner,
    ]),
  );
