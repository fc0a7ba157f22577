import type { HugoAddressing } from './template-context.ts';

/**
 * Where Hugo 0.111 puts the page a `ref`/`relref` names, from the name alone (measured with Debian's hugo): a
 * content path `/docs/install` (or `docs/install.md`, a bundle `docs/install/index.md`) is `/docs/install/`, a
 * section `_index.md` is the section `/docs/`, paths are lower-cased with spaces as dashes, and `uglyURLs` gives
 * `/docs/install.html`. A name without a leading slash is taken from the content root: Hugo would look beside the
 * referring post first, but a page there would be a post. `./` and `../` are relative to the referring post. A
 * page's own `url`, `slug` or the site's `permalinks` cannot be known without the page.
 * @example hugoPagePath('/docs/_index.md', 'content/posts/a.md', { contentDirs: [] }) // '/docs/'
 */
export const hugoPagePath = (target: string, fromSource: string, hugo: HugoAddressing | undefined): string => {
  const contentDirs = hugo?.contentDirs.length ? hugo.contentDirs : ['content'];
  const fromFolder = contentPathOf(fromSource, contentDirs).split('/').slice(0, -1);
  const segments = /^\.\.?(\/|$)/.test(target) ? [...fromFolder, ...target.split('/')] : target.split('/');
  const resolved: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') resolved.pop();
    else resolved.push(segment);
  }
  const last = (resolved.at(-1) ?? '').replace(/\.(md|markdown|html|htm|adoc|org|rst|pdc)$/i, '');
  if (last === '_index' || last === 'index') resolved.pop();
  else if (resolved.length > 0) resolved[resolved.length - 1] = last;
  const path = resolved.map((segment) => segment.toLowerCase().replace(/\s+/g, '-')).join('/');
  if (path === '') return '/';
  return hugo?.uglyURLs ? `/${path}.html` : `/${path}/`;
};

/** A source path relative to the content folder it is in (`content/en/blog/a.md` -> `blog/a.md`). */
const contentPathOf = (source: string, contentDirs: readonly string[]): string => {
  const folder = [...contentDirs].sort((a, b) => b.length - a.length).find((dir) => source.startsWith(`${dir}/`));
  return folder === undefined ? source : source.slice(folder.length + 1);
};
