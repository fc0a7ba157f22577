import type { Post, PostSummary, PublishedPost } from '../types.ts';

/** The stored, serialisable form of a post, under the feed item id it was given. */
export const toPublishedPost = (post: Post, id: string): PublishedPost => ({
  id,
  sourcePath: post.sourcePath,
  slug: post.slug,
  ...(post.aliases?.length ? { aliases: post.aliases } : {}),
  url: post.url,
  title: post.title,
  date: post.date.toISOString(),
  ...(post.updated ? { updated: post.updated.toISOString() } : {}),
  summary: post.summary,
  html: post.html,
  ...(post.excerptHtml !== undefined ? { excerptHtml: post.excerptHtml } : {}),
  tags: post.tags,
  categories: post.categories,
  authors: post.authors,
  ...(post.image ? { image: post.image } : {}),
});

/** A post without its bodies, for list pages. */
export const toSummary = ({ html: _html, excerptHtml: _excerpt, ...summary }: PublishedPost): PostSummary => summary;

/** Newest first by date, then by source path so equal dates order the same way every time. */
export const compareNewestFirst = (
  a: Pick<PublishedPost, 'date' | 'sourcePath'>,
  b: Pick<PublishedPost, 'date' | 'sourcePath'>,
): number =>
  a.date === b.date
    ? a.sourcePath < b.sourcePath
      ? -1
      : a.sourcePath > b.sourcePath
        ? 1
        : 0
    : a.date < b.date
      ? 1
      : -1;
