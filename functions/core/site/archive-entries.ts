/**
 * The archive as a list of small entries (slug, title, dates, tags): what the archive page lists under each month,
 * what previous/next links and tag pages are derived from, and what the sitemaps list. The publisher stores each
 * month's entries with the month, so every render pass has the whole list without reading a single post.
 */
import { slugify } from '../slug.ts';
import type { ArchiveEntry, MonthRef, PostSummary } from '../types.ts';

export const toArchiveEntry = (post: PostSummary): ArchiveEntry => ({
  slug: post.slug,
  sourcePath: post.sourcePath,
  title: post.title,
  date: post.date,
  ...(post.updated ? { updated: post.updated } : {}),
  tags: post.tags,
});

/** Newest first; equal instants by slug, so the order never depends on the order the entries came in. */
export const compareEntries = (a: Pick<ArchiveEntry, 'date' | 'slug'>, b: Pick<ArchiveEntry, 'date' | 'slug'>) => {
  const byDate = Date.parse(b.date) - Date.parse(a.date);
  if (byDate !== 0) return byDate;
  return a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0;
};

/** Every entry of the archive, newest first (months without stored entries contribute none). */
export const allEntries = (months: readonly MonthRef[]): ArchiveEntry[] =>
  months.flatMap((ref) => ref.posts ?? []).sort(compareEntries);

/** The neighbours of a post in date order: the next newer and the next older post, where they exist. */
export interface Neighbours {
  newer?: ArchiveEntry;
  older?: ArchiveEntry;
}

/** Neighbours of `slug` in `entries` (newest first); none when the slug is not listed. */
export const neighboursOf = (entries: readonly ArchiveEntry[], slug: string): Neighbours => {
  const at = entries.findIndex((entry) => entry.slug === slug);
  if (at < 0) return {};
  const newer = entries[at - 1];
  const older = entries[at + 1];
  return { ...(newer ? { newer } : {}), ...(older ? { older } : {}) };
};

/**
 * The path segment of a tag's page and feeds. Tags differing only in case, accents or punctuation share a page
 * (`Node.js` and `nodejs`), as Hugo's urlized taxonomy terms do.
 * @example tagSlug('Node.js') // 'node-js'
 */
export const tagSlug = (tag: string): string => slugify(tag).replace(/^post-/, 'tag-');

/** One tag of the site: the name as its newest post spells it, and its posts newest first. */
export interface TagGroup {
  slug: string;
  /** The tag as first written. */
  name: string;
  /** Every spelling of the tag among its posts (`Node.js`, `node js`), which all share its slug. */
  names: string[];
  entries: ArchiveEntry[];
}

/** The tags of an archive (entries newest first), by tag slug. */
export const groupByTag = (entries: readonly ArchiveEntry[]): Map<string, TagGroup> => {
  const groups = new Map<string, TagGroup>();
  for (const entry of entries) {
    for (const tag of new Set(entry.tags.map(tagSlug))) {
      const spellings = entry.tags.filter((t) => tagSlug(t) === tag);
      const group = groups.get(tag) ?? { slug: tag, name: spellings[0] ?? tag, names: [], entries: [] };
      for (const spelling of spellings) if (!group.names.includes(spelling)) group.names.push(spelling);
      group.entries.push(entry);
      groups.set(tag, group);
    }
  }
  return groups;
};

const sameEntry = (a: ArchiveEntry, b: ArchiveEntry): boolean =>
  a.slug === b.slug &&
  a.title === b.title &&
  a.date === b.date &&
  a.updated === b.updated &&
  a.tags.join('\u0000') === b.tags.join('\u0000');

/**
 * What a change of the archive makes stale: the pages of the posts that appeared, went or changed and of their
 * neighbours before and after (whose previous/next links changed), and the tags whose pages and feeds changed
 * (every tag of such an entry, before and after).
 */
export const staleByArchiveChange = (
  before: readonly ArchiveEntry[],
  after: readonly ArchiveEntry[],
): { posts: Set<string>; tags: Set<string> } => {
  const oldBySlug = new Map(before.map((entry) => [entry.slug, entry]));
  const newBySlug = new Map(after.map((entry) => [entry.slug, entry]));
  const changed = new Set<string>();
  for (const [slug, entry] of oldBySlug) {
    const next = newBySlug.get(slug);
    if (!next || !sameEntry(entry, next)) changed.add(slug);
  }
  for (const slug of newBySlug.keys()) if (!oldBySlug.has(slug)) changed.add(slug);
  const posts = new Set<string>();
  const tags = new Set<string>();
  for (const list of [before, after]) {
    list.forEach((entry, at) => {
      if (!changed.has(entry.slug)) return;
      for (const neighbour of [list[at - 1], list[at + 1]]) if (neighbour) posts.add(neighbour.slug);
      for (const tag of entry.tags) tags.add(tagSlug(tag));
    });
  }
  for (const slug of changed) posts.add(slug);
  return { posts, tags };
};
