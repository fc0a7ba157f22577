/**
 * What one digest says: the posts it carries, newest first, and how its subject and
 * preheader read. Values only; rendering is in core/mail/digest-mail.ts, deciding what goes in in core/digest/.
 */
import type { Author, PublishedPost } from '../types.ts';

/** A post as a digest shows it: everything absolute, the body already sanitized by the publisher. */
export interface DigestPost {
  /** The feed item id: a post is mailed once per feed id, whatever its file or slug becomes. */
  feedId: string;
  sourcePath: string;
  title: string;
  /** Absolute URL of the post. */
  url: string;
  /** ISO 8601 instant the post is dated. */
  date: string;
  /** Plain-text summary. */
  summary: string;
  /** Sanitized HTML of the whole body, every URL absolute. */
  html: string;
  /** Sanitized HTML before `<!--more-->`, when the post has the marker. */
  excerptHtml?: string;
  /** Absolute URL of the post's first image. */
  image?: string;
  authors: Author[];
}

/** The parts of a published post a digest shows. */
export const toDigestPost = (post: PublishedPost): DigestPost => ({
  feedId: post.id,
  sourcePath: post.sourcePath,
  title: post.title,
  url: post.url,
  date: post.date,
  summary: post.summary,
  html: post.html,
  ...(post.excerptHtml ? { excerptHtml: post.excerptHtml } : {}),
  ...(post.image ? { image: post.image } : {}),
  authors: post.authors,
});

export interface DigestContent {
  /** Stable id of the digest, e.g. `2026-11-23T07:00Z` for a scheduled one or `post:<feed id>` for immediate. */
  id: string;
  posts: DigestPost[];
  /** New posts beyond the digest's `maxPosts`: counted in the mail, with a link to the archive. */
  more: number;
}
