import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAuthorSlug, MAX_SLUG_LENGTH, slugify } from '../../functions/core/slug.ts';

const SLUG_SHAPE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

describe('slugify', () => {
  it.each([
    ['Hello, World!', 'hello-world'],
    ['Crème brûlée, à la carte', 'creme-brulee-a-la-carte'],
    ['Größe und Übermaß', 'grosse-und-ubermass'],
    ['Zażółć gęślą jaźń', 'zazolc-gesla-jazn'],
    ['  --Already-Slugged--  ', 'already-slugged'],
    ['C++ & Rust: 2024 edition', 'c-rust-2024-edition'],
    ['Unicode 🚀 rockets', 'unicode-rockets'],
    ['ﬁne ligatures', 'fine-ligatures'],
    ['2024-11-14-hello', '2024-11-14-hello'],
  ])('turns %j into %j', (text, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const slug = slugify(text);
    // Assess
    expect(slug).toBe(expected);
  });

  it('gives a CJK-only title a stable hashed slug', () => {
    // Prepare
    const title = '東京で小さなソフトウェアを作る';
    // Act
    const first = slugify(title);
    const second = slugify(title);
    // Assess
    expect(first).toMatch(/^post-[0-9a-f]{8}$/);
    expect(second).toBe(first);
    expect(slugify('小而美的软件')).not.toBe(first);
  });

  it('keeps long slugs under the limit without a trailing hyphen', () => {
    // Prepare
    const title = 'word '.repeat(40);
    // Act
    const slug = slugify(title);
    // Assess
    expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(slug).toMatch(SLUG_SHAPE);
  });

  /** Property: whatever the text, the slug is non-empty ASCII words joined by single hyphens, within the limit. */
  it('always produces a well-formed slug', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        // Act
        const slug = slugify(text);
        // Assess
        expect(slug).toMatch(SLUG_SHAPE);
        expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
      }),
    );
  });
});

describe('checkAuthorSlug', () => {
  it.each([
    ['my-post', 'my-post'],
    ['My Post', 'my-post'],
    [2024, '2024'],
  ])('accepts %j as %j', (value, expected) => {
    // Prepare: nothing beyond the table row.
    // Act
    const checked = checkAuthorSlug(value);
    // Assess
    expect(checked).toEqual({ ok: true, slug: expected });
  });

  it.each([
    ['an empty slug', '  ', /empty/],
    ['a path', 'posts/other', /path separator/],
    ['a backslash', 'a\\b', /path separator/],
    ['a parent folder', '..', /path separator or "\.\."/],
    ['a control character', 'a\u0007b', /control/],
    ['a list', ['a'], /must be text/],
  ])('refuses %s', (_name, value, reason) => {
    // Prepare: nothing beyond the table row.
    // Act
    const checked = checkAuthorSlug(value);
    // Assess
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.reason).toMatch(reason);
  });
});
