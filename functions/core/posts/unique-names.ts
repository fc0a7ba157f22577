import type { Post, Problem } from '../types.ts';

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
