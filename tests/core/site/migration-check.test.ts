import { describe, expect, it } from 'vitest';
import type { FeedItemRead, FeedRead } from '../../../functions/core/feeds/read-feed.ts';
import {
  aliasTargetOf,
  checkMigration,
  fileForPath,
  type MigrationInput,
  normalizeTitle,
  sitePathOf,
} from '../../../functions/core/site/migration-check.ts';

const BASE = 'https://quill.example/';

const alias = (target: string): string =>
  `<!DOCTYPE html><html><head><title>${target}</title><link rel="canonical" href="${target}">` +
  `<meta charset="utf-8"><meta http-equiv="refresh" content="0; url=${target}"></head></html>`;

const page = (title: string): string => `<!DOCTYPE html><html><head><title>${title}</title></head><body></body></html>`;

const item = (slug: string, date: string, extra: Partial<FeedItemRead> = {}): FeedItemRead => ({
  id: `${BASE}${slug}/`,
  link: `${BASE}${slug}/`,
  title: `Post ${slug}`,
  date,
  ...extra,
});

const rss = (items: FeedItemRead[], extra: Partial<FeedRead> = {}): FeedRead => ({
  format: 'rss',
  homeUrl: BASE,
  items,
  ...extra,
});

/** A fresh input per test: the old feed, the new feed.xml and the site's files, each test changing what it needs. */
const inputWith = (
  oldItems: FeedItemRead[],
  newItems: FeedItemRead[],
  files: Record<string, string>,
  extra: Partial<MigrationInput> = {},
): MigrationInput => ({
  oldFeed: rss(oldItems),
  oldBase: BASE,
  newBase: BASE,
  newFeeds: [{ file: 'feed.xml', feed: rss(newItems) }],
  readFile: async (path) => files[path],
  ...extra,
});

describe('sitePathOf', () => {
  it('gives the path below the site root, ignoring the scheme, query and fragment', () => {
    expect(sitePathOf('http://quill.example/blog/2020/fish/?a=1#top', 'https://quill.example/blog/')).toBe(
      '/2020/fish/',
    );
    expect(sitePathOf('https://quill.example/blog', 'https://quill.example/blog/')).toBe('/');
  });

  it('gives nothing for another host or a path outside the root', () => {
    expect(sitePathOf('https://other.example/blog/x/', 'https://quill.example/blog/')).toBeUndefined();
    expect(sitePathOf('https://quill.example/about/', 'https://quill.example/blog/')).toBeUndefined();
  });
});

describe('fileForPath', () => {
  it.each([
    ['/', 'index.html'],
    ['/a/b/', 'a/b/index.html'],
    ['/a/b', 'a/b/index.html'],
    ['/old/page.html', 'old/page.html'],
    ['/2020/caf%C3%A9/', '2020/café/index.html'],
  ])('serves %s from %s', (path, file) => {
    expect(fileForPath(path)).toBe(file);
  });
});

describe('aliasTargetOf', () => {
  it('reads the refresh target of a Hugo-style alias page, whatever the attribute order and quoting', () => {
    expect(aliasTargetOf(alias('https://quill.example/a/'))).toBe('https://quill.example/a/');
    expect(aliasTargetOf(`<META CONTENT='0;URL="/b/?x=1&amp;y=2"' HTTP-EQUIV=Refresh>`)).toBe('/b/?x=1&y=2');
  });

  it('finds no target in an ordinary page', () => {
    expect(aliasTargetOf(page('Hello'))).toBeUndefined();
  });
});

describe('normalizeTitle', () => {
  it('decodes entities and collapses white space', () => {
    expect(normalizeTitle('  Tea &amp;\n\t biscuits &eacute;&#x21; ')).toBe('Tea & biscuits é!');
  });
});

describe('checkMigration', () => {
  it('keeps the item id when the slug changes and the old address is an alias to the new page', async () => {
    // Prepare
    const old = item('2023/lantern', '2024-05-01T08:00:00Z');
    const moved = { ...old, link: `${BASE}posts/lantern/` };
    const input = inputWith([old], [moved], {
      '2023/lantern/index.html': alias(`${BASE}posts/lantern/`),
      'posts/lantern/index.html': page('Post lantern'),
    });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[0]).toMatchObject({
      verdict: 'ok',
      idCheck: { status: 'kept', feed: 'feed.xml' },
      address: { status: 'resolves', file: 'posts/lantern/index.html', via: ['2023/lantern/index.html'] },
      titleCheck: { status: 'same' },
    });
    expect(report.summary).toMatchObject({ ok: true, ids: { kept: 1, lost: 0 }, addresses: { resolve: 1, fail: 0 } });
  });

  it('reports an id as lost when the post is in the new feed under another id', async () => {
    // Prepare
    const old = item('2023/kettle', '2024-05-01T08:00:00Z', { id: 'tag:quill.example,2024:kettle' });
    const input = inputWith([old], [{ ...old, id: `${BASE}2023/kettle/` }], { '2023/kettle/index.html': page('k') });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[0]?.idCheck).toMatchObject({ status: 'lost', newId: `${BASE}2023/kettle/` });
    expect(report.items[0]?.verdict).toBe('fail');
    expect(report.summary.ok).toBe(false);
  });

  it('compares ids exactly, so white space around an old guid counts as a different id', async () => {
    // Prepare
    const old = item('2023/spool', '2024-05-01T08:00:00Z', { id: ' spool-1 ' });
    const input = inputWith([old], [{ ...old, id: 'spool-1' }], { '2023/spool/index.html': page('s') });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[0]?.idCheck.status).toBe('lost');
  });

  it('does not fail on an old item that is missing from the new feed but older than its oldest item', async () => {
    // Prepare
    const newest = item('2024/anvil', '2024-06-01T08:00:00Z');
    const ancient = item('2019/bellows', '2019-01-01T08:00:00Z');
    const input = inputWith([newest, ancient], [newest], {
      '2024/anvil/index.html': page('a'),
      '2019/bellows/index.html': page('b'),
    });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[1]).toMatchObject({
      verdict: 'ok',
      idCheck: { status: 'outside-window', oldest: '2024-06-01T08:00:00.000Z' },
      address: { status: 'resolves' },
      titleCheck: { status: 'not-compared' },
    });
    expect(report.summary).toMatchObject({ ok: true, ids: { kept: 1, outsideWindow: 1, lost: 0 } });
  });

  it('fails an old item that is missing from the new feed yet within its dates', async () => {
    // Prepare
    const first = item('2024/anvil', '2024-06-01T08:00:00Z');
    const middle = item('2024/chisel', '2024-06-15T08:00:00Z');
    const last = item('2024/drill', '2024-07-01T08:00:00Z');
    const input = inputWith([last, middle, first], [last, first], {
      '2024/anvil/index.html': page('a'),
      '2024/chisel/index.html': page('c'),
      '2024/drill/index.html': page('d'),
    });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[1]?.idCheck).toMatchObject({
      status: 'lost',
      reason: expect.stringContaining('within its dates'),
    });
    expect(report.summary.ids).toEqual({ kept: 2, lost: 1, outsideWindow: 0, noId: 0 });
  });

  it('reports a dead address with the file it looked for', async () => {
    // Prepare
    const old = item('2024/gone', '2024-06-01T08:00:00Z');
    const input = inputWith([old], [old], {});

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[0]?.address).toEqual({
      status: 'dead',
      path: '/2024/gone/',
      reason: 'no file 2024/gone/index.html',
      via: [],
    });
    expect(report.summary.addresses.fail).toBe(1);
  });

  it('reports an alias loop', async () => {
    // Prepare
    const old = item('2024/ring', '2024-06-01T08:00:00Z');
    const input = inputWith([old], [old], {
      '2024/ring/index.html': alias(`${BASE}2024/round/`),
      '2024/round/index.html': alias(`${BASE}2024/ring/`),
    });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[0]?.address).toMatchObject({
      status: 'loop',
      reason: 'alias loop: 2024/ring/index.html -> 2024/round/index.html -> 2024/ring/index.html',
    });
  });

  it('gives up after five alias hops', async () => {
    // Prepare
    const old = item('hop0', '2024-06-01T08:00:00Z');
    const files: Record<string, string> = { 'hop6/index.html': page('end') };
    for (let i = 0; i < 6; i++) files[`hop${i}/index.html`] = alias(`/hop${i + 1}/`);
    const input = inputWith([old], [old], files);

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[0]?.address).toMatchObject({ status: 'too-many-hops' });
  });

  it('follows an alias that names its target by site path, and an .html address', async () => {
    // Prepare
    const old = { ...item('x', '2024-06-01T08:00:00Z'), link: `${BASE}old/page.html` };
    const input = inputWith([old], [old], {
      'old/page.html': alias('/posts/page/'),
      'posts/page/index.html': page('p'),
    });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[0]?.address).toMatchObject({ status: 'resolves', file: 'posts/page/index.html' });
  });

  it('fails an address with a query, which a static host cannot serve', async () => {
    // Prepare
    const old = { ...item('x', '2024-06-01T08:00:00Z'), link: `${BASE}?p=42` };
    const input = inputWith([old], [old], { 'index.html': page('home') });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[0]?.address).toMatchObject({ status: 'dead', path: '/?p=42' });
  });

  it('does not check a link to another site', async () => {
    // Prepare
    const old = { ...item('x', '2024-06-01T08:00:00Z'), link: 'https://elsewhere.example/read-this' };
    const input = inputWith([old], [old], {});

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items[0]).toMatchObject({ verdict: 'warn', address: { status: 'off-site' } });
    expect(report.summary.ok).toBe(true);
  });

  it('warns, without failing, when a title changed beyond entities and white space', async () => {
    // Prepare
    const same = item('2024/tea', '2024-06-01T08:00:00Z', { title: 'Tea &amp;  biscuits' });
    const changed = item('2024/jam', '2024-06-02T08:00:00Z', { title: 'Jam' });
    const input = inputWith(
      [changed, same],
      [
        { ...changed, title: 'Jam, revised' },
        { ...same, title: 'Tea & biscuits' },
      ],
      { '2024/tea/index.html': page('t'), '2024/jam/index.html': page('j') },
    );

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.items.map((i) => i.titleCheck)).toEqual([
      { status: 'changed', newTitle: 'Jam, revised', feed: 'feed.xml' },
      { status: 'same' },
    ]);
    expect(report.summary).toMatchObject({ ok: true, titles: { same: 1, changed: 1 } });
  });

  it('looks for ids in the feed at the old feed address, whatever the names of the others', async () => {
    // Prepare: a moved Jekyll site, whose feed.xml is Atom; the build's atom.xml has other ids.
    const old = item('2024/oar', '2024-06-01T08:00:00Z', { id: `${BASE}2024/oar` });
    const atom = (items: FeedItemRead[]): FeedRead => ({ format: 'atom', homeUrl: BASE, items });
    const input: MigrationInput = {
      oldFeed: atom([old]),
      oldBase: BASE,
      oldFeedUrl: `${BASE}feed.xml`,
      newBase: BASE,
      newFeeds: [
        { file: 'atom.xml', feed: atom([{ ...old, id: 'urn:other' }]) },
        { file: 'feed.xml', feed: atom([old]) },
      ],
      readFile: async (path) => (path === '2024/oar/index.html' ? page('o') : undefined),
    };

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.feedAddress).toEqual({ status: 'feed', path: '/feed.xml', file: 'feed.xml', format: 'atom' });
    expect(report.comparedWith).toEqual(['feed.xml']);
    expect(report.items[0]?.idCheck).toEqual({ status: 'kept', feed: 'feed.xml' });
  });

  it('fails when the old feed address has nothing at it', async () => {
    // Prepare
    const old = item('2024/oar', '2024-06-01T08:00:00Z');
    const input = inputWith([old], [old], { '2024/oar/index.html': page('o') }, { oldFeedUrl: `${BASE}index.xml` });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.feedAddress).toEqual({ status: 'missing', path: '/index.xml' });
    expect(report.summary.ok).toBe(false);
  });

  it('lists new feed items that readers of the old feed never saw, but not newer posts', async () => {
    // Prepare: the old feed held one post, the new one holds an older post too, and a post written since.
    const kept = item('2024/b', '2024-06-01T08:00:00Z');
    const older = item('2023/a', '2023-01-01T08:00:00Z');
    const newer = item('2024/c', '2024-09-01T08:00:00Z');
    const input = inputWith([kept], [newer, kept, older], { '2024/b/index.html': page('b') });

    // Act
    const report = await checkMigration(input);

    // Assess
    expect(report.unseen.map((u) => u.title)).toEqual(['Post 2023/a']);
    expect(report.summary).toMatchObject({ ok: true, unseen: 1 });
  });
});
