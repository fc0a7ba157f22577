import { datePartsIn } from '../paths.ts';
import type { Post, SiteConfig } from '../types.ts';

/**
 * The feed item id a post gets when it is first published: the author's own `id` when it is already a URI; in a
 * site moved from Hugo or Jekyll (unless `idScheme` is `tag`), the id its generator gave it, which feed readers
 * already hold; otherwise a tag URI (RFC 4151) minted from the site's host. The publisher stores it and never
 * mints it again, so edits, re-uploads and renames keep it.
 * @example defaultPostId(post, site) // 'tag:notes.example,2024-11-14:hello-world'
 */
export const defaultPostId = (
  post: Pick<Post, 'authorId' | 'slug' | 'date' | 'generatorId'>,
  site: Pick<SiteConfig, 'baseUrl' | 'idScheme'>,
): string => {
  if (post.generatorId !== undefined && site.idScheme !== 'tag') return post.generatorId;
  if (post.authorId && /^[a-z][a-z0-9+.-]*:\S+$/i.test(post.authorId) && !/^[a-z]:\\/i.test(post.authorId)) {
    return post.authorId;
  }
  const host = new URL(site.baseUrl).hostname;
  const { year, month, day } = datePartsIn(post.date, 'UTC');
  const specific = post.authorId ?? post.slug;
  return `tag:${host},${year}-${month}-${day}:${encodeURI(specific)}`;
};
