import { describe, expect, it } from 'vitest';
import { alternativeSlugsOf, withSlug } from '../../../functions/core/posts/unique-names.ts';
import { parseSiteConfig } from '../../../functions/core/site-config.ts';
import type { Post } from '../../../functions/core/types.ts';

const site = parseSiteConfig({ title: 'Notes', baseUrl: 'https://notes.example/', timeZone: 'America/New_York' });

const post = (): Post => ({
  sourcePath: '2024/meetup.md',
  slug: 'meetup',
  title: 'Meetup',
  date: new Date('2024-06-13T02:00:00Z'),
  draft: false,
  summary: '',
  html: '<p>See <a href="https://notes.example/posts/meetup/#fn1">1</a> and <a href="https://notes.example/posts/meetup/">here</a>.</p>',
  excerptHtml: '<p><a href="https://notes.example/posts/meetup/#top">top</a></p>',
  tags: [],
  categories: [],
  authors: [],
  url: 'https://notes.example/posts/meetup/',
});

describe('a post that moves to its dated slug', () => {
  it('takes the date in the site’s time zone, then the folder', () => {
    // Act
    const slugs = alternativeSlugsOf(post(), site);
    // Assess
    expect(slugs).toEqual(['meetup-2024-06-12', 'meetup-2024-06-12-2024']);
  });

  it.each([
    ['content/fr/blog/meetup.md', ['meetup-2024-06-12', 'meetup-2024-06-12-fr']],
    ['_posts/meetup.md', ['meetup-2024-06-12']],
    ['content/blog/2024-06-12-meetup/index.md', ['meetup-2024-06-12']],
  ])('names the folders of %s that tell it apart, not the usual ones', (sourcePath, expected) => {
    // Act
    const slugs = alternativeSlugsOf({ ...post(), sourcePath }, site);
    // Assess
    expect(slugs).toEqual(expected);
  });

  it('moves its URL and its links to places in itself, and no other link', () => {
    // Act
    const moved = withSlug(post(), 'meetup-2024-06-12', site);
    // Assess
    expect(moved.url).toBe('https://notes.example/posts/meetup-2024-06-12/');
    expect(moved.html).toBe(
      '<p>See <a href="https://notes.example/posts/meetup-2024-06-12/#fn1">1</a> and <a href="https://notes.example/posts/meetup/">here</a>.</p>',
    );
    expect(moved.excerptHtml).toBe('<p><a href="https://notes.example/posts/meetup-2024-06-12/#top">top</a></p>');
  });
});
