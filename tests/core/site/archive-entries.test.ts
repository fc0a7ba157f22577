import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareEntries,
  groupByTag,
  neighboursOf,
  staleByArchiveChange,
  tagSlug,
} from '../../../functions/core/site/archive-entries.ts';
import type { ArchiveEntry } from '../../../functions/core/types.ts';

const entry = (slug: string, date: string, overrides: Partial<ArchiveEntry> = {}): ArchiveEntry => ({
  slug,
  sourcePath: `${slug}.md`,
  title: slug.toUpperCase(),
  date,
  tags: [],
  ...overrides,
});

describe('archive entries', () => {
  it('finds the newer and the older neighbour of a post, and none at the ends', () => {
    // Prepare
    const list = [
      entry('c', '2024-12-01T00:00:00Z'),
      entry('b', '2024-11-01T00:00:00Z'),
      entry('a', '2024-10-01T00:00:00Z'),
    ];

    // Act
    const middle = neighboursOf(list, 'b');
    const newest = neighboursOf(list, 'c');
    const missing = neighboursOf(list, 'zz');

    // Assess
    expect(middle).toEqual({ newer: list[0], older: list[2] });
    expect(newest).toEqual({ older: list[1] });
    expect(missing).toEqual({});
  });

  it('groups posts by tag slug, so tags that differ in case or punctuation share a page', () => {
    // Prepare
    const list = [
      entry('b', '2024-11-02T00:00:00Z', { tags: ['Node.js', 'node-js'] }),
      entry('a', '2024-11-01T00:00:00Z', { tags: ['node.JS', '日本語'] }),
    ];

    // Act
    const groups = groupByTag(list);

    // Assess
    expect([...groups.keys()]).toEqual(['node-js', tagSlug('日本語')]);
    expect(groups.get('node-js')).toMatchObject({ name: 'Node.js', entries: [list[0], list[1]] });
    expect(tagSlug('日本語')).toMatch(/^tag-/);
  });

  it('reaches the old and new neighbours and both tag sets of a post that moved', () => {
    // Prepare
    const a = entry('a', '2024-10-01T00:00:00Z');
    const b = entry('b', '2024-11-01T00:00:00Z', { tags: ['old'] });
    const c = entry('c', '2024-12-01T00:00:00Z');
    const d = entry('d', '2025-01-01T00:00:00Z');
    const moved = { ...b, date: '2025-02-01T00:00:00Z', tags: ['new'] };

    // Act
    const reached = staleByArchiveChange([d, c, b, a], [moved, d, c, a]);

    // Assess
    expect([...reached.posts].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...reached.tags].sort()).toEqual(['new', 'old']);
  });

  /*
   * Property: after any change, every post whose neighbours differ between the two lists is reached, so its
   * previous/next links are rendered again; and nothing is reached when nothing changed.
   */
  it('reaches every post whose neighbours changed, for any change of the list', () => {
    const day = fc.integer({ min: 0, max: 60 }).map((n) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString());
    const list = fc
      .uniqueArray(fc.record({ slug: fc.constantFrom(...'abcdefghij'), date: day }), {
        selector: (e) => e.slug,
        maxLength: 10,
      })
      .map((items) => items.map((item) => entry(item.slug, item.date)).sort(compareEntries));
    fc.assert(
      fc.property(list, list, (before, after) => {
        const reached = staleByArchiveChange(before, after);
        const key = (n: ReturnType<typeof neighboursOf>) => `${n.newer?.slug}|${n.older?.slug}`;
        for (const item of after) {
          if (key(neighboursOf(before, item.slug)) !== key(neighboursOf(after, item.slug)))
            expect(reached.posts.has(item.slug)).toBe(true);
        }
        expect(staleByArchiveChange(after, after).posts.size).toBe(0);
      }),
    );
  });
});
