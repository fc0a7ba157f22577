import fc from 'fast-check';
import { type DefaultTreeAdapterTypes, parse } from 'parse5';
import { describe, expect, it } from 'vitest';
import {
  AliasError,
  aliasFile,
  aliasPathOf,
  isRedirectLocation,
  locationHeaderOf,
  type Redirect,
  redirectProblems,
} from '../../../functions/core/site/redirects.ts';

type Element = DefaultTreeAdapterTypes.Element;
type Node = DefaultTreeAdapterTypes.ChildNode | DefaultTreeAdapterTypes.Document;

const site = { baseUrl: 'https://notes.example/' };

/** Every element of a page, parsed as a browser would. */
const elementsOf = (page: string): Element[] => {
  const found: Element[] = [];
  const walk = (node: Node): void => {
    if ('tagName' in node) found.push(node);
    if ('childNodes' in node) for (const child of node.childNodes) walk(child);
    if ('content' in node) walk(node.content as unknown as Node);
  };
  walk(parse(page));
  return found;
};
const attr = (element: Element | undefined, name: string) => element?.attrs.find((a) => a.name === name)?.value;
const textOf = (element: Element | undefined) =>
  (element?.childNodes ?? []).map((child) => ('value' in child ? child.value : '')).join('');

/** Where the alias page sends a reader, as a browser reads each of its three pointers. */
const pointersOf = (page: string) => {
  const elements = elementsOf(page);
  const refresh = attr(
    elements.find((e) => attr(e, 'http-equiv') === 'refresh'),
    'content',
  );
  return {
    title: textOf(elements.find((e) => e.tagName === 'title')),
    canonical: attr(
      elements.find((e) => e.tagName === 'link' && attr(e, 'rel') === 'canonical'),
      'href',
    ),
    refresh: refresh?.replace(/^0; url=/, ''),
    robots: attr(
      elements.find((e) => attr(e, 'name') === 'robots'),
      'content',
    ),
  };
};

describe('aliasPathOf', () => {
  it.each([
    ['/2019/10/hello/', '2019/10/hello/index.html'],
    ['/2019/10/hello', '2019/10/hello/index.html'],
    ['2019/10/hello', '2019/10/hello/index.html'],
    ['/2019/10/hello/index.html', '2019/10/hello/index.html'],
    ['/old/page.html', 'old/page.html'],
    ['old/page.html', 'old/page.html'],
    ['/index.xml', 'index.xml'],
    ['/tags/go/index.xml', 'tags/go/index.xml'],
    ['/posts/caf%C3%A9/', 'posts/café/index.html'],
    ['/posts/café/', 'posts/café/index.html'],
    ['  /padded/  ', 'padded/index.html'],
    ['/a..b/', 'a..b/index.html'],
  ])('puts %j in %j', (fromPath, expected) => {
    // Act
    const path = aliasPathOf(fromPath);

    // Assess
    expect(path).toBe(expected);
  });

  it.each([
    ['/../secret/', '".." segment'],
    ['/a/./b/', '".." segment'],
    ['/a/%2e%2e/b/', '".." segment'],
    ['/a//b/', 'empty'],
    ['//evil.example/', '"//"'],
    ['/%2F%2Fevil.example/', 'once decoded, it starts with "//"'],
    ['https://old.example/a/', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['/a/?p=1', 'query'],
    ['/a/#top', 'fragment'],
    ['/a/%3Fp=1', 'once decoded, it has a query'],
    ['/a\u0000b/', 'control character'],
    ['/a%0d%0aSet-Cookie:x/', 'control character'],
    ['/a\\b/', 'backslash'],
    ['/%zz/', '"%"'],
    ['/', 'home page'],
    ['/index.html', 'home page'],
    ['', 'home page'],
  ])('refuses %j, saying why', (fromPath, why) => {
    // Act
    const attempt = () => aliasPathOf(fromPath);

    // Assess
    expect(attempt).toThrow(AliasError);
    expect(attempt).toThrow(JSON.stringify(fromPath));
    expect(attempt).toThrow(why);
  });

  // Property: however an author writes a folder address (with or without its slashes, with index.html), it is one
  // file; and whatever string comes in, what comes out is a relative path no request can climb out of.
  it('gives one file for every way of writing a folder address', () => {
    const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), (segments) => {
        const path = segments.join('/');
        const written = [`/${path}/`, `/${path}`, path, `${path}/`, `/${path}/index.html`].map(aliasPathOf);
        expect(new Set(written)).toEqual(new Set([`${path}/index.html`]));
      }),
    );
  });

  it('never returns a path with a leading slash, an empty, "." or ".." segment, or a control character', () => {
    const piece = fc.oneof(
      fc.constantFrom('/', '//', '..', '.', '%2e', '%2f', '%00', '\\', '?', '#', 'index.html', 'a.html', ':', 'x'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        let path: string;
        try {
          path = aliasPathOf(pieces.join(''));
        } catch (error) {
          expect(error).toBeInstanceOf(AliasError);
          return;
        }
        const segments = path.split('/');
        expect(segments.every((s) => s !== '' && s !== '.' && s !== '..')).toBe(true);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the property is that there are none.
        expect(path).not.toMatch(/[\u0000-\u001f\u007f\\]/);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('aliasFile', () => {
  it('writes a page at the old address that points at the absolute target, for static hosts', () => {
    // Act
    const file = aliasFile('/2019/10/hello.html', '/posts/hello/', site);

    // Assess
    expect(file.path).toBe('2019/10/hello.html');
    expect(file.redirectTo).toBe('/posts/hello/');
    expect(pointersOf(String(file.body))).toEqual({
      title: 'https://notes.example/posts/hello/',
      canonical: 'https://notes.example/posts/hello/',
      refresh: 'https://notes.example/posts/hello/',
      robots: 'noindex',
    });
    expect(String(file.body)).toMatch(/^<!doctype html>\n<html>\n<head>\n<meta charset="utf-8">/);
  });

  it('resolves a site path against a base URL with a path, and keeps an absolute target as it is', () => {
    // Act
    const below = aliasFile('/old/', '/posts/hello/', { baseUrl: 'https://a.example/blog/' });
    const away = aliasFile('/old/', 'https://elsewhere.example/hello/', site);

    // Assess
    expect(pointersOf(String(below.body)).refresh).toBe('https://a.example/blog/posts/hello/');
    expect(below.redirectTo).toBe('/posts/hello/');
    expect(pointersOf(String(away.body)).canonical).toBe('https://elsewhere.example/hello/');
    expect(away.redirectTo).toBe('https://elsewhere.example/hello/');
  });

  it.each(['//evil.example/x', 'javascript:alert(1)', 'posts/hello/', '/\\evil.example', 'https://%zz/', ''])(
    'refuses the target %j, naming it',
    (target) => {
      // Act
      const attempt = () => aliasFile('/old/', target, site);

      // Assess
      expect(attempt).toThrow(AliasError);
      expect(attempt).toThrow(`The redirect target ${JSON.stringify(target)}`);
    },
  );

  // Property: whatever characters a target path holds, the page's title, canonical link and refresh all name the
  // same absolute URL once a browser has parsed them, and none of them can open a tag or leave its attribute.
  it('escapes any target so the title, canonical link and refresh all read back as its absolute URL', () => {
    const hostile = fc.constantFrom('"', "'", '<', '>', '&', '</title>', '"><script>', ' ', 'é', ';', 'url=');
    fc.assert(
      fc.property(fc.array(fc.oneof(hostile, fc.string({ maxLength: 5 })), { maxLength: 6 }), (parts) => {
        const target = `/posts/${parts.join('')}`;
        fc.pre(isRedirectLocation(locationHeaderOf(target)));
        const file = aliasFile('/old/', target, site);
        const expected = new URL(target.slice(1), site.baseUrl).href;
        const pointers = pointersOf(String(file.body));
        expect(pointers.title).toBe(expected);
        expect(pointers.canonical).toBe(expected);
        expect(pointers.refresh).toBe(expected);
        expect(elementsOf(String(file.body)).map((e) => e.tagName)).toEqual([
          'html',
          'head',
          'meta',
          'title',
          'link',
          'meta',
          'meta',
          'body',
          'p',
          'a',
        ]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('isRedirectLocation and locationHeaderOf', () => {
  it.each([
    ['/2024/hello/', true],
    ['/', true],
    ['https://elsewhere.example/a', true],
    ['HTTP://elsewhere.example/a', true],
    ['//evil.example/', false],
    ['/\\evil.example/', false],
    ['javascript:alert(1)', false],
    ['2024/hello/', false],
    ['/a b/', false],
    ['/a\r\nSet-Cookie: x', false],
    ['/café/', false],
    ['', false],
  ])('takes %j as a Location: %s', (value, expected) => {
    // Act
    const accepted = isRedirectLocation(value);

    // Assess
    expect(accepted).toBe(expected);
  });

  it('percent-encodes what a header cannot carry and leaves the rest, escapes included', () => {
    // Act
    const encoded = locationHeaderOf('/posts/café au lait/caf%C3%A9/\u0007\ud800');

    // Assess
    expect(encoded).toBe('/posts/caf%C3%A9%20au%20lait/caf%C3%A9/%07%EF%BF%BD');
    expect(isRedirectLocation(encoded)).toBe(true);
  });
});

describe('redirectProblems', () => {
  const redirect = (from: string, to: string, file = 'hello.md'): Redirect => ({ from, to, file });

  it('finds nothing wrong with redirects that each lead straight to a page', () => {
    // Prepare
    const redirects = [redirect('/2019/hello/', '/posts/hello/'), redirect('/old.html', '/posts/other/', 'other.md')];

    // Act
    const problems = redirectProblems(redirects, new Set(['posts/hello/index.html', 'posts/other/index.html']));

    // Assess
    expect(problems).toEqual([]);
  });

  it('reports an address that leads to itself, however it is written', () => {
    // Act
    const problems = redirectProblems([redirect('/a/b', '/a/b/index.html')], new Set());

    // Assess
    expect(problems).toEqual([
      {
        file: 'hello.md',
        field: 'aliases',
        severity: 'error',
        message: 'The old address /a/b/ leads to itself (/a/b/index.html): readers would be redirected forever.',
        fix: 'Remove /a/b/ from aliases: it is already the address this redirect leads to.',
      },
    ]);
  });

  it('reports a loop of two addresses on both posts that declare them', () => {
    // Act
    const problems = redirectProblems([redirect('/a/', '/b/', 'a.md'), redirect('/b', '/a/', 'b.md')], new Set());

    // Assess
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'a.md',
        severity: 'error',
        message: 'The old addresses form a loop, /a/ → /b/ → /a/: readers would be redirected forever.',
      }),
      expect.objectContaining({
        file: 'b.md',
        severity: 'error',
        message: 'The old addresses form a loop, /b/ → /a/ → /b/: readers would be redirected forever.',
      }),
    ]);
    expect(problems[0]?.fix).toContain('Remove one of these addresses from aliases');
  });

  it('reports an address leading into a loop it is not part of', () => {
    // Act
    const problems = redirectProblems(
      [redirect('/x/', '/a/', 'x.md'), redirect('/a/', '/b/', 'a.md'), redirect('/b/', '/a/', 'b.md')],
      new Set(),
    );

    // Assess
    expect(problems.find((p) => p.file === 'x.md')?.message).toBe(
      'The old address /x/ leads into a loop, /x/ → /a/ → /b/ → /a/: readers would be redirected forever.',
    );
  });

  it('warns of a chain and names the final target to point at', () => {
    // Act
    const problems = redirectProblems(
      [redirect('/a/', '/b/', 'old.md'), redirect('/b/', 'https://notes.example/posts/c/', 'c.md')],
      new Set(['posts/c/index.html']),
    );

    // Assess
    expect(problems).toEqual([
      {
        file: 'old.md',
        field: 'aliases',
        severity: 'warning',
        message:
          'The old address /a/ leads to /b/, which is itself an old address: /a/ → /b/ → https://notes.example/posts/c/ takes 2 redirects.',
        fix: 'Point /a/ straight at https://notes.example/posts/c/: list it among the aliases of the post now at https://notes.example/posts/c/.',
      },
    ]);
  });

  it('follows an absolute target under the base URL when given the site', () => {
    // Act
    const problems = redirectProblems(
      [redirect('/a/', 'https://notes.example/b/', 'a.md'), redirect('/b/', 'https://notes.example/a/', 'b.md')],
      new Set(),
      site,
    );

    // Assess
    expect(problems.map((p) => p.message)).toEqual([
      'The old addresses form a loop, /a/ → /b/ → /a/: readers would be redirected forever.',
      'The old addresses form a loop, /b/ → /a/ → /b/: readers would be redirected forever.',
    ]);
  });

  it('reports an alias that would replace a real page, given as a file or a site path', () => {
    // Act
    const problems = redirectProblems(
      [redirect('/posts/hello', '/posts/new/'), redirect('/about.html', '/posts/new/')],
      new Set(['posts/hello/index.html', '/about.html']),
    );

    // Assess
    expect(problems.map((p) => [p.severity, p.message])).toEqual([
      [
        'error',
        'The old address /posts/hello/ is the address of a page of this site: its alias would replace that page.',
      ],
      [
        'error',
        'The old address /about.html is the address of a page of this site: its alias would replace that page.',
      ],
    ]);
  });

  it('reports an address two posts claim, on each of them, naming the other', () => {
    // Act
    const problems = redirectProblems(
      [redirect('/old/', '/posts/a/', 'a.md'), redirect('/old/index.html', '/posts/b/', 'b.md')],
      new Set(),
    );

    // Assess
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'a.md',
        severity: 'error',
        message: 'The old address /old/ is also claimed by b.md; one address can lead to one post only.',
      }),
      expect.objectContaining({
        file: 'b.md',
        message: 'The old address /old/ is also claimed by a.md; one address can lead to one post only.',
      }),
    ]);
  });

  it('says nothing of one post listing the same address twice', () => {
    // Act
    const problems = redirectProblems([redirect('/old/', '/posts/a/'), redirect('/old', '/posts/a/')], new Set());

    // Assess
    expect(problems).toEqual([]);
  });

  it('reports first every address and target no alias can take, with its reason, then checks the rest', () => {
    // Act
    const problems = redirectProblems(
      [redirect('//evil.example/', '/posts/a/'), redirect('/a/', '/a/'), redirect('/b/', 'ftp://x/')],
      new Set(),
    );

    // Assess
    expect(problems.map((p) => p.message)).toEqual([
      'The old address "//evil.example/" cannot be an alias: it starts with "//", which browsers read as another host.',
      'The redirect target "ftp://x/" is neither a path of this site starting with one "/" nor an http(s) URL. Give the new address as /2024/hello/ or https://...',
      'The old address /a/ leads to itself (/a/): readers would be redirected forever.',
    ]);
    expect(problems[0]).toMatchObject({
      file: 'hello.md',
      field: 'aliases',
      severity: 'error',
      fix: 'Write the old address as a path on this site, such as /2019/10/hello/ or /old/page.html.',
    });
    expect(problems[1]?.fix).toBe(
      'Lead the old address to a page of this site, written as /2024/hello/, or to an https:// URL.',
    );
  });
});
