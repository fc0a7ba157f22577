import { hasErrors } from '../problems.ts';
import type { ParseResult, Problem, PublishedPost, SiteConfig } from '../types.ts';
import { parsePost, publicationState } from './parse-post.ts';
import { defaultPostId } from './post-id.ts';
import { toPublishedPost } from './published-post.ts';
import { type ContentContext, EMPTY_CONTENT } from './templating/template-context.ts';
import { alternativeSlugsOf, nameClashProblem, slugMovedProblem, uniqueNamesOf, withSlug } from './unique-names.ts';

export interface SourceFile {
  sourcePath: string;
  bytes: Uint8Array;
  /** The date of a post that gives none, as Hugo's `:fileModTime` would (the CLI: when the file last changed). */
  undatedAt?: Date;
}

export interface BatchOutcome {
  sourcePath: string;
  status: 'published' | 'scheduled' | 'draft' | 'expired' | 'rejected';
}

export interface BatchResult {
  published: PublishedPost[];
  outcomes: BatchOutcome[];
  problems: Problem[];
}

/**
 * Parses a whole folder of posts at once (the CLI's build and lint), deciding what publishes at `now`.
 * Slugs and author ids must be unique: the first file in path order keeps a contested name. A later post whose slug
 * is taken moves to its dated slug (`kubecon-2024-03-19`, then with its folder); one that still clashes, or whose id
 * is taken, is rejected.
 */
export const buildBatch = (
  files: SourceFile[],
  site: SiteConfig,
  now: Date,
  content: ContentContext = EMPTY_CONTENT,
): BatchResult =>
  decideBatch(
    files.map((file) => ({ sourcePath: file.sourcePath, result: parsePost(file, site, content) })),
    site,
    now,
  );

/** The deciding half of buildBatch, for callers that parsed the files elsewhere (in worker threads). */
export const decideBatch = (
  parsed: { sourcePath: string; result: ParseResult }[],
  site: SiteConfig,
  now: Date,
): BatchResult => {
  const sorted = [...parsed].sort((a, b) => (a.sourcePath < b.sourcePath ? -1 : a.sourcePath > b.sourcePath ? 1 : 0));
  const owners = new Map<string, string>();
  const published: PublishedPost[] = [];
  const outcomes: BatchOutcome[] = [];
  const problems: Problem[] = [];
  for (const file of sorted) {
    const result = file.result;
    problems.push(...result.problems);
    let post = result.post;
    if (!post || hasErrors(result.problems)) {
      outcomes.push({ sourcePath: file.sourcePath, status: 'rejected' });
      continue;
    }
    const slugOwner = owners.get(`slug:${post.slug}`);
    const free =
      slugOwner === undefined ? undefined : alternativeSlugsOf(post, site).find((slug) => !owners.has(`slug:${slug}`));
    if (slugOwner !== undefined && free !== undefined) {
      const moved = withSlug(post, free, site);
      problems.push(slugMovedProblem(moved, post.slug, slugOwner));
      post = moved;
    }
    const clashes = uniqueNamesOf(post).filter(([name]) => owners.has(name));
    if (clashes.length > 0) {
      problems.push(...clashes.map(([name]) => nameClashProblem(post.sourcePath, name, owners.get(name) ?? '')));
      outcomes.push({ sourcePath: file.sourcePath, status: 'rejected' });
      continue;
    }
    for (const [name] of uniqueNamesOf(post)) owners.set(name, post.sourcePath);
    const state = publicationState(post, now);
    if (state === 'live') {
      published.push(toPublishedPost(post, defaultPostId(post, site)));
      outcomes.push({ sourcePath: file.sourcePath, status: 'published' });
    } else {
      outcomes.push({ sourcePath: file.sourcePath, status: state });
    }
  }
  return { published, outcomes, problems };
};
