/**
 * Where Jekyll 4 puts a page or a collection document, from its path in the site and the site's `_config.yml`
 * (Jekyll's Page#template, Collection#url_template, Utils.add_permalink_suffix and URL#sanitize_url): the path from
 * the site's root, before `baseurl`. A page's own `permalink:` front matter cannot be known without the page.
 */

const MARKDOWN_OR_HTML = /\.(md|markdown|mkd|mkdn|mkdown|mdown|html|htm|xhtml)$/i;

/**
 * @example jekyllPagePath('docs/index.md', {}) // '/docs/'
 * @example jekyllPagePath('about.md', { permalink: 'pretty' }) // '/about/'
 * @example jekyllPagePath('_docs/history.md', {}) // '/docs/history.html'
 */
export const jekyllPagePath = (relativePath: string, config: Record<string, unknown>): string => {
  const path = relativePath.replace(/^\/+/, '');
  const style = typeof config.permalink === 'string' && config.permalink.trim() !== '' ? config.permalink : 'date';
  // A document is named by its path in the collections folder (`_docs/history.md`), even under collections_dir.
  const collection = /^_([^/]+)\/(.+)$/.exec(path);
  if (collection) return documentPath(collection[1] ?? '', collection[2] ?? '', config, style);
  if (!MARKDOWN_OR_HTML.test(path)) return sanitize(`/${path}`);
  const slash = path.lastIndexOf('/');
  const folder = path.slice(0, slash + 1);
  const basename = path
    .slice(slash + 1)
    .replace(MARKDOWN_OR_HTML, '')
    .replace(/\.+$/, '');
  const template = basename === 'index' ? '/:path/' : withSuffix('/:path/:basename', style);
  return sanitize(fill(template, { path: folder, basename, output_ext: '.html' }));
};

/** A document of a collection (`_docs/history.md`): the collection's `permalink`, else the style's default. */
const documentPath = (label: string, inside: string, config: Record<string, unknown>, style: string): string => {
  const settings = collectionSettings(config, label);
  const template =
    typeof settings.permalink === 'string' ? settings.permalink : withSuffix('/:collection/:path', style);
  const name = (inside.slice(inside.lastIndexOf('/') + 1) || inside).replace(/\.[^.]*$/, '');
  const html = MARKDOWN_OR_HTML.test(inside);
  return sanitize(
    fill(template, {
      collection: label,
      path: `/${inside.replace(/\.[^./]*$/, '').replace(/\.+$/, '')}`,
      name: slugify(name),
      slug: slugify(name),
      title: slugify(name, true),
      output_ext: html ? '.html' : (/\.[^./]*$/.exec(inside)?.[0] ?? ''),
    }),
  );
};

/** `collections:` as a map of labels to settings, or as a list of labels. */
const collectionSettings = (config: Record<string, unknown>, label: string): Record<string, unknown> => {
  const collections = config.collections;
  if (!collections || typeof collections !== 'object' || Array.isArray(collections)) return {};
  const settings = (collections as Record<string, unknown>)[label];
  return settings && typeof settings === 'object' ? (settings as Record<string, unknown>) : {};
};

/** Jekyll's Utils.add_permalink_suffix: what a page's URL ends with under the site's permalink style. */
const withSuffix = (template: string, style: string): string => {
  if (style === 'pretty') return `${template}/`;
  if (style === 'date' || style === 'ordinal' || style === 'none') return `${template}:output_ext`;
  if (style.endsWith('/')) return `${template}/`;
  if (style.endsWith(':output_ext')) return `${template}:output_ext`;
  return template;
};

/** Fills `:name` placeholders; one Jekyll cannot fill without the page (a date, its categories) is left out. */
const fill = (template: string, values: Record<string, string>): string =>
  template.replace(/:([a-z_]+)/g, (_all, name: string) => values[name] ?? values[name.replace(/_$/, '')] ?? '');

/** Jekyll's URL#sanitize_url: one leading slash, no `..`, no `./`, no doubled slashes. */
const sanitize = (path: string): string =>
  `/${path}`
    .replaceAll('..', '/')
    .replaceAll('./', '')
    .replace(/\/{2,}/g, '/');

/** Jekyll's slugify: `default` mode, or `pretty` with case kept (for `:title`). */
const slugify = (text: string, pretty = false): string => {
  const kept = pretty ? /[^\p{L}\p{N}._~!$&'()+,;=@]+/gu : /[^\p{L}\p{N}]+/gu;
  const slug = text.replace(kept, '-').replace(/^-+|-+$/g, '');
  return pretty ? slug : slug.toLowerCase();
};
