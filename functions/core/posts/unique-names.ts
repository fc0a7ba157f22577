import { datePartsIn, isAddress, postPagePath, postUrl } from '../paths.ts';
import { slugify } from '../slug.ts';
import type { Post, Problem, SiteConfig } from '../types.ts';

/**
 * The names a post must not share with any other: its slug (its page URL), the file a kept address is written to
 * (two spellings of one file cannot both be pages), and its author-set id (its feed id).
 * @example uniqueNamesOf(post) // [['slug:hello', 'slug'], ['id:post-42', 'id']]
 */
export const uniqueNamesOf = (post: Pick<Post, 'slug' | 'authorId'>): [string, 'slug' | 'file' | 'id'][] => [
  [`slug:${post.slug}`, 'slug'],
  ...(isAddress(post.slug) ? [[`file:${postPagePath(post.slug)}`, 'file'] as [string, 'file']] : []),
  ...(post.authorId !== undefined ? [[`id:${post.authorId}`, 'id'] as [string, 'id']] : []),
];

/** The problem reported for the post that lost a contested slug or id to `owner`. */
export const nameClashProblem = (sourcePath: string, name: string, owner: string): Problem => {
  if (name.startsWith('file:')) {
    return {
      file: sourcePath,
      field: 'permalink',
      message: `The post's address is written to ${name.slice('file:'.length)}, where ${owner} is already published.`,
      fix: 'Give one of the two posts another permalink (Jekyll) or url (Hugo).',
      severity: 'error',
    };
  }
  const field = name.startsWith('slug:') ? 'slug' : 'id';
  return {
    file: sourcePath,
    field,
    message: isAddress(name.slice(name.indexOf(':') + 1))
      ? `The address ${name.slice(name.indexOf(':') + 1)} is already used by ${owner}.`
      : `${field} "${name.slice(name.indexOf(':') + 1)}" is already used by ${owner}.`,
    fix:
      field === 'slug'
        ? 'Give this post a different `slug` in its front matter (or rename the file), or remove the other post.'
        : 'Give this post a different `id` in its front matter; ids must be unique and never reused.',
    severity: 'error',
  };
};

/**
 * The slugs a post may take, in order, when another post already has its own: the slug with the post's date, then
 * with its folder too. Hugo and Jekyll keep two posts of the same file name apart by the folder or date in their
 * paths (`2019/kubecon.md`, `en/` and `fr/` translations of one post); this publisher's addresses have neither, so
 * they go into the slug. Only when all of them are taken do two posts truly clash.
 * @example alternativeSlugsOf({ slug: 'kubecon', date, sourcePath: 'fr/blog/kubecon.md' }, site) // ['kubecon-2024-03-19', 'kubecon-2024-03-19-fr-blog']
 */
export const alternativeSlugsOf = (
  post: Pick<Post, 'slug' | 'date' | 'sourcePath'>,
  site: Pick<SiteConfig, 'timeZone'>,
): string[] => {
  // An address kept from the old generator is the address readers know: another one would be a dead link.
  if (isAddress(post.slug)) return [];
  const { year, month, day } = datePartsIn(post.date, site.timeZone);
  const dated = `${post.slug}-${year}-${month}-${day}`;
  const folders = post.sourcePath
    .split('/')
    .slice(0, -1)
    .filter(
      (segment) => !/^(?:content|posts?|_posts|blog|index)$/i.test(segment) && !/^\d{4}-\d{2}-\d{2}-/.test(segment),
    );
  const folder = folders.length > 0 ? slugify(folders.join(' ')) : '';
  return folder === '' ? [dated] : [dated, `${dated}-${folder}`];
};

/** The post at another slug, its URL following, links to places in the post (`#notes`) too. */
export const withSlug = <P extends Post>(
  post: P,
  slug: string,
  site: Pick<SiteConfig, 'baseUrl' | 'permalink' | 'timeZone'>,
): P => {
  const url = postUrl(site, slug, post.date);
  const moved = (html: string) => html.replaceAll(`"${post.url}#`, `"${url}#`);
  return {
    ...post,
    slug,
    url,
    html: moved(post.html),
    ...(post.excerptHtml === undefined ? {} : { excerptHtml: moved(post.excerptHtml) }),
  };
};

/** The note for a post that was given its dated slug because `owner` has the plain one. */
export const slugMovedProblem = (post: Pick<Post, 'sourcePath' | 'slug'>, wanted: string, owner: string): Problem => ({
  file: post.sourcePath,
  field: 'slug',
  message: `${owner} already has the address posts/${wanted}/, so this post is published at posts/${post.slug}/.`,
  fix: 'Give either post a slug: of its own in its front matter to choose its address.',
  severity: 'warning',
});
