import { datePartsIn, postUrl } from '../paths.ts';
import type { Post, Problem, SiteConfig } from '../types.ts';

/**
 * The names a post must not share with any other: its slug (its page URL) and its author-set id (its feed id).
 * @example uniqueNamesOf(post) // [['slug:hello', 'slug'], ['id:post-42', 'id']]
 */
export const uniqueNamesOf = (post: Pick<Post, 'slug' | 'authorId'>): [string, 'slug' | 'id'][] => [
  [`slug:${post.slug}`, 'slug'],
  ...(post.authorId !== undefined ? [[`id:${post.authorId}`, 'id'] as [string, 'id']] : []),
];

/** The problem reported for the post that lost a contested slug or id to `owner`. */
export const nameClashProblem = (sourcePath: string, name: string, owner: string): Problem => {
  const field = name.startsWith('slug:') ? 'slug' : 'id';
  return {
    file: sourcePath,
    field,
    message: `${field} "${name.slice(name.indexOf(':') + 1)}" is already used by ${owner}.`,
    fix:
      field === 'slug'
        ? 'Give this post a different `slug` in its front matter (or rename the file), or remove the other post.'
        : 'Give this post a different `id` in its front matter; ids must be unique and never reused.',
    severity: 'error',
  };
};

/**
 * The slug a post takes when another post already has its own: the slug and the post's date. Hugo and Jekyll keep
 * two posts of the same file name apart by the folder or date in their paths; this publisher's addresses have
 * neither, so the date goes into the slug. Only if that is taken too do the two truly clash.
 * @example datedSlugOf({ slug: 'kubecon', date }, site) // 'kubecon-2024-03-19'
 */
export const datedSlugOf = (post: Pick<Post, 'slug' | 'date'>, site: Pick<SiteConfig, 'timeZone'>): string => {
  const { year, month, day } = datePartsIn(post.date, site.timeZone);
  return `${post.slug}-${year}-${month}-${day}`;
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
