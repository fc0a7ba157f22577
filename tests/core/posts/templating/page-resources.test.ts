import { describe, expect, it } from 'vitest';
import { formatValue } from '../../../../functions/core/posts/templating/go/format.ts';
import { GoNil, type GoStruct } from '../../../../functions/core/posts/templating/go/values.ts';
import { globToRegExp, pageResources } from '../../../../functions/core/posts/templating/page-resources.ts';

/* A page bundle's resources as Hugo 0.111.3 lists and matches them (names, order, globs, media types). */

const FILES = [
  '2024/trip/index.md',
  '2024/trip/photo.jpg',
  '2024/trip/notes.txt',
  '2024/trip/images/b.png',
  '2024/trip/doc.pdf',
  '2024/trip/other.md',
  '2024/trip/.DS_Store',
  '2024/elsewhere.jpg',
];

const resourcesOf = (sourcePath: string, unavailable: string[] = []) =>
  pageResources({
    sourcePath,
    files: FILES,
    folderUrl: 'https://notes.example/posts/2024/trip/',
    onUnavailable: (what, method) => unavailable.push(`${what}:${method}`),
  }) as GoStruct[] & Record<string, (...args: unknown[]) => unknown>;

const field = (resource: unknown, name: string) => (resource as GoStruct).member(name)?.value;

describe('pageResources', () => {
  it('lists the files of an index.md bundle, by type and then name, as Hugo orders them', () => {
    // Prepare, Act
    const resources = resourcesOf('2024/trip/index.md');
    // Assess
    expect(resources.map((resource) => field(resource, 'Name'))).toEqual([
      'doc.pdf',
      'images/b.png',
      'photo.jpg',
      'notes.txt',
    ]);
    expect(formatValue(resources[2]?.member('MediaType')?.value)).toBe('image/jpeg');
    expect(field(resources[2], 'ResourceType')).toBe('image');
    expect(field(resources[1], 'Permalink')).toBe('https://notes.example/posts/2024/trip/images/b.png');
  });

  it('gives a post that is not a bundle no resources', () => {
    // Prepare, Act, Assess
    expect(resourcesOf('2024/trip/other.md')).toEqual([]);
  });

  it('finds resources by glob, case-insensitively, and by type', () => {
    // Prepare
    const resources = resourcesOf('2024/trip/index.md');
    const names = (list: unknown) => (list as unknown[]).map((resource) => field(resource, 'Name'));
    // Act, Assess
    expect(field(resources.GetMatch?.('*.JPG'), 'Name')).toBe('photo.jpg');
    expect(field(resources.GetMatch?.('**.png'), 'Name')).toBe('images/b.png');
    expect(resources.GetMatch?.('*.png')).toBeInstanceOf(GoNil);
    expect(names(resources.Match?.('{photo,notes}.*'))).toEqual(['photo.jpg', 'notes.txt']);
    expect(names(resources.Match?.('[dp]*'))).toEqual(['doc.pdf', 'photo.jpg']);
    expect(names(resources.ByType?.('image'))).toEqual(['images/b.png', 'photo.jpg']);
  });

  it('gives the original image for processing, with no size, and says so', () => {
    // Prepare
    const unavailable: string[] = [];
    const photo = resourcesOf('2024/trip/index.md', unavailable)[2];
    const call = (name: string, ...args: unknown[]) => (field(photo, name) as (...a: unknown[]) => unknown)(...args);
    // Act
    const resized = call('Resize', '600x');
    const width = call('Width');
    // Assess
    expect(resized).toBe(photo);
    expect(width).toBe(0);
    expect(unavailable).toEqual(['image:Resize', 'image:Width']);
  });

  it.each([
    ['*.jpg', 'a.jpg', true],
    ['*.jpg', 'x/a.jpg', false],
    ['**.jpg', 'x/a.jpg', true],
    ['**/*.jpg', 'x/y/a.jpg', true],
    ['a?c', 'abc', true],
    ['[!a]*', 'abc', false],
    ['*.{png,gif}', 'a.gif', true],
  ])('reads the glob %s as matching %s: %s', (glob, name, expected) => {
    // Prepare, Act, Assess
    expect(globToRegExp(glob).test(name)).toBe(expected);
  });
});
