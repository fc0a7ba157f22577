import { parseFeed } from '@rowanmanning/feed-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContentStore, NameClaims, SourceIndex } from '../../functions/app/ports.ts';
import { s3Event } from '../support/events.ts';
import { createGate } from '../support/gate.ts';
import { type Harness, postText, startHarness } from '../support/publisher-harness.ts';

/*
 * The publish handler against the in-process S3 and DynamoDB stand-ins over real HTTP. Events are handed to the
 * handler explicitly so each test controls duplicates, order and concurrency the way S3 may deliver them.
 */

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  await harness.close();
});

const feedItems = async () => {
  const xml = await harness.readPublic('feed.xml');
  if (!xml) return [];
  return parseFeed(xml).items.map((item) => ({ id: item.id, title: item.title, url: item.url }));
};

const publish = async (path: string, text: string) => {
  await harness.upload(path, text);
  return harness.handler()(s3Event('created', `posts/${path}`));
};

describe('publish handler', () => {
  it('publishes a new post to the three feeds, its page, the index and the archive', async () => {
    // Prepare
    await harness.upload('2024/hello.md', postText({ title: 'Hello, feeds' }));

    // Act
    const results = await harness.handler()(s3Event('created', 'posts/2024/hello.md'));

    // Assess
    expect(results).toMatchObject([{ kind: 'post', sourcePath: '2024/hello.md', status: 'published', changed: true }]);
    expect(await feedItems()).toEqual([
      {
        id: expect.stringMatching(/^tag:notes\.example,2024-11-14:/),
        title: 'Hello, feeds',
        url: 'https://notes.example/posts/hello/',
      },
    ]);
    const atom = parseFeed((await harness.readPublic('atom.xml')) ?? '');
    const json = JSON.parse((await harness.readPublic('feed.json')) ?? '{}') as {
      version: string;
      items: { title: string }[];
    };
    expect(atom.items.map((item) => item.title)).toEqual(['Hello, feeds']);
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items.map((item) => item.title)).toEqual(['Hello, feeds']);
    expect(await harness.readPublic('posts/hello/index.html')).toContain('Hello, feeds');
    expect(await harness.readPublic('index.html')).toContain('Hello, feeds');
    expect(await harness.readPublic('archive/2024/11/index.html')).toContain('Hello, feeds');
    expect(await harness.readPublic('archive/index.html')).toContain('2024');
  });

  it('serves each feed with its own media type and a cache lifetime that suits polling', async () => {
    // Prepare
    await harness.upload('hello.md', postText({ title: 'Types' }));

    // Act
    await harness.handler()(s3Event('created', 'posts/hello.md'));

    // Assess
    const rss = await harness.readObject('site/feed.xml');
    const atom = await harness.readObject('site/atom.xml');
    const json = await harness.readObject('site/feed.json');
    expect(rss?.contentType).toMatch(/^application\/rss\+xml/);
    expect(atom?.contentType).toMatch(/^application\/atom\+xml/);
    expect(json?.contentType).toMatch(/^application\/feed\+json/);
    expect(rss?.cacheControl).toMatch(/max-age=300/);
  });

  it('keeps the item id when a post is edited, and updates it in place', async () => {
    // Prepare
    await publish('hello.md', postText({ title: 'First title' }));
    const [before] = await feedItems();

    // Act
    await publish('hello.md', postText({ title: 'Second title', extra: 'lastmod: 2024-11-20T08:00:00Z' }));

    // Assess
    const after = await feedItems();
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(before?.id);
    expect(after[0]?.title).toBe('Second title');
    const atom = parseFeed((await harness.readPublic('atom.xml')) ?? '');
    expect(atom.items[0]?.updated?.toISOString()).toBe('2024-11-20T08:00:00.000Z');
  });

  it('dates an edit without lastmod by when it was published, and keeps that date on an identical re-upload', async () => {
    // Prepare
    const at = (iso: string) => () => new Date(iso);
    await harness.upload('hello.md', postText({ title: 'Hello', body: 'First words.' }));
    await harness.handler({ now: at('2024-11-15T10:00:00Z') })(s3Event('created', 'posts/hello.md'));
    const atomUpdated = async () =>
      parseFeed((await harness.readPublic('atom.xml')) ?? '').items[0]?.updated?.toISOString();
    const before = await atomUpdated();

    // Act
    await harness.upload('hello.md', postText({ title: 'Hello', body: 'Better words.' }));
    await harness.handler({ now: at('2024-11-20T12:00:00Z') })(s3Event('created', 'posts/hello.md'));
    const afterEdit = await atomUpdated();
    await harness.upload('hello.md', `${postText({ title: 'Hello', body: 'Better words.' })}\n`);
    await harness.handler({ now: at('2024-11-25T12:00:00Z') })(s3Event('created', 'posts/hello.md'));
    const afterReupload = await atomUpdated();

    // Assess
    expect(before).toBe('2024-11-14T09:30:00.000Z');
    expect(afterEdit).toBe('2024-11-20T12:00:00.000Z');
    expect(afterReupload).toBe('2024-11-20T12:00:00.000Z');
  });

  it('keeps the item id when the post date is edited', async () => {
    // Prepare
    await publish('hello.md', postText({ title: 'Dated', date: '2024-11-14T09:30:00Z' }));
    const [before] = await feedItems();

    // Act
    await publish('hello.md', postText({ title: 'Dated', date: '2024-12-02T09:30:00Z' }));

    // Assess
    const [after] = await feedItems();
    expect(after?.id).toBe(before?.id);
    expect(await harness.readPublic('archive/2024/11/index.html')).toBeUndefined();
    expect(await harness.readPublic('archive/2024/12/index.html')).toContain('Dated');
  });

  // The date is edited before each rename so that an id minted afresh (from slug and date) would differ.
  it.each([
    ['creation', 'deletion'],
    ['deletion', 'creation'],
  ])('keeps an author-set id across a rename when the %s event arrives first', async (first) => {
    // Prepare
    await publish('old-name.md', postText({ title: 'Renamed', id: 'field-notes-7', date: '2024-11-14T09:30:00Z' }));
    const [before] = await feedItems();
    await publish('old-name.md', postText({ title: 'Renamed', id: 'field-notes-7', date: '2024-11-20T09:30:00Z' }));
    await harness.remove('old-name.md');
    await harness.upload(
      'new-name.md',
      postText({ title: 'Renamed', id: 'field-notes-7', date: '2024-11-20T09:30:00Z' }),
    );
    const created = s3Event('created', 'posts/new-name.md');
    const removed = s3Event('removed', 'posts/old-name.md');

    // Act
    for (const event of first === 'creation' ? [created, removed] : [removed, created]) await harness.handler()(event);

    // Assess
    expect(await feedItems()).toEqual([
      { id: before?.id, title: 'Renamed', url: 'https://notes.example/posts/new-name/' },
    ]);
    // Whichever event comes first, the old address redirects to the new one.
    expect(await harness.readPublic('posts/old-name/index.html')).toContain(
      'url=https://notes.example/posts/new-name/',
    );
  });

  it.each([
    ['creation', 'deletion'],
    ['deletion', 'creation'],
  ])('keeps the id of a post moved to another folder with its slug, when the %s event arrives first', async (first) => {
    // Prepare
    await publish('drafts/a.md', postText({ title: 'Moved', slug: 'moved-post', date: '2024-11-14T09:30:00Z' }));
    const [before] = await feedItems();
    await publish('drafts/a.md', postText({ title: 'Moved', slug: 'moved-post', date: '2024-11-20T09:30:00Z' }));
    await harness.remove('drafts/a.md');
    await harness.upload('2024/a.md', postText({ title: 'Moved', slug: 'moved-post', date: '2024-11-20T09:30:00Z' }));
    const created = s3Event('created', 'posts/2024/a.md');
    const removed = s3Event('removed', 'posts/drafts/a.md');

    // Act
    for (const event of first === 'creation' ? [created, removed] : [removed, created]) await harness.handler()(event);

    // Assess
    expect(await feedItems()).toEqual([
      { id: before?.id, title: 'Moved', url: 'https://notes.example/posts/moved-post/' },
    ]);
  });

  it('gives a new id to a post that reuses the slug of a post deleted long ago', async () => {
    // Prepare
    const at = (iso: string) => () => new Date(iso);
    await harness.upload('first.md', postText({ title: 'First', slug: 'reused' }));
    await harness.handler({ now: at('2024-11-14T10:00:00Z') })(s3Event('created', 'posts/first.md'));
    const [first] = await feedItems();
    await harness.remove('first.md');
    await harness.handler({ now: at('2024-11-15T10:00:00Z') })(s3Event('removed', 'posts/first.md'));
    await harness.upload('second.md', postText({ title: 'Second', slug: 'reused' }));

    // Act
    await harness.handler({ now: at('2025-03-01T10:00:00Z') })(s3Event('created', 'posts/second.md'));

    // Assess
    const [second] = await feedItems();
    expect(second?.title).toBe('Second');
    expect(second?.id).not.toBe(first?.id);
  });

  it('never gives two posts one feed id, even when one takes the slug another gave up', async () => {
    // Prepare: the first post moves to a new slug and keeps its id; a new post then takes the old slug, same date.
    await publish('hello.md', postText({ title: 'Hello' }));
    await publish('hello.md', postText({ title: 'Hello', slug: 'hello-world' }));

    // Act
    await publish('2024/hello.md', postText({ title: 'Another hello' }));

    // Assess
    const ids = (await feedItems()).map((item) => item.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('rejects a post that takes an author id another post used before', async () => {
    // Prepare
    await publish('a.md', postText({ title: 'A', id: 'urn:uuid:0b1c9a3e-1111-4c1a-9f00-000000000001' }));
    await publish('a.md', postText({ title: 'A', id: 'urn:uuid:0b1c9a3e-2222-4c1a-9f00-000000000002' }));

    // Act
    const [result] = await publish(
      'b.md',
      postText({ title: 'B', id: 'urn:uuid:0b1c9a3e-1111-4c1a-9f00-000000000001' }),
    );

    // Assess
    expect(result).toMatchObject({ kind: 'post', status: 'rejected' });
    expect((await harness.readObject('posts/b.md.report.txt'))?.body).toContain('never reused');
    expect((await feedItems()).map((item) => item.title)).toEqual(['A']);
  });

  it('releases a slug given up by an edit even when the first attempt crashed before releasing it', async () => {
    // Prepare: a fault no stand-in can produce, so the index is wrapped to fail the release once.
    await publish('a.md', postText({ title: 'A', slug: 'x' }));
    await harness.upload('a.md', postText({ title: 'A', slug: 'y' }));
    let failed = false;
    const flaky: NameClaims = {
      ...harness.index.claims,
      releaseClaim: async (name, owner) => {
        if (!failed) {
          failed = true;
          throw new Error('simulated crash before releasing the old slug');
        }
        await harness.index.claims.releaseClaim(name, owner);
      },
    };
    await expect(harness.handler({ claims: flaky })(s3Event('created', 'posts/a.md'))).rejects.toThrow();
    await harness.handler()(s3Event('created', 'posts/a.md'));

    // Act
    const [result] = await publish('c.md', postText({ title: 'C', slug: 'x' }));

    // Assess
    expect(result).toMatchObject({ kind: 'post', status: 'published' });
  });

  it('removes a deleted post from the feeds, the index and its page', async () => {
    // Prepare
    await publish('keep.md', postText({ title: 'Keeper', date: '2024-10-01T00:00:00Z' }));
    await publish('gone.md', postText({ title: 'Goner' }));
    await harness.remove('gone.md');

    // Act
    await harness.handler()(s3Event('removed', 'posts/gone.md'));

    // Assess
    expect((await feedItems()).map((item) => item.title)).toEqual(['Keeper']);
    expect(await harness.readPublic('posts/gone/index.html')).toBeUndefined();
    expect(await harness.readPublic('index.html')).not.toContain('Goner');
    expect(await harness.readPublic('archive/2024/11/index.html')).toBeUndefined();
  });

  it('ends in the same state when events arrive twice and out of order', async () => {
    // Prepare: the post is created, edited, then deleted and created again; S3 delivers the events shuffled and twice.
    await harness.upload('hello.md', postText({ title: 'Version 1' }));
    await harness.upload('hello.md', postText({ title: 'Version 2' }));
    await harness.remove('hello.md');
    await harness.upload('hello.md', postText({ title: 'Version 3' }));
    const events = [
      s3Event('created', 'posts/hello.md'),
      s3Event('removed', 'posts/hello.md'),
      s3Event('created', 'posts/hello.md'),
      s3Event('created', 'posts/hello.md'),
    ];

    // Act
    for (const event of [events[3], events[1], events[0], events[1], events[2], events[3]]) {
      if (event) await harness.handler()(event);
    }

    // Assess
    expect((await feedItems()).map((item) => item.title)).toEqual(['Version 3']);
    expect(await harness.readPublic('posts/hello/index.html')).toContain('Version 3');
  });

  it('puts every one of many concurrent uploads into the feeds and the archive', async () => {
    // Prepare
    const site = { feedSize: 30, pageSize: 30 };
    await harness.close();
    harness = await startHarness((await import('../support/publisher-harness.ts')).testSite(site));
    const paths = Array.from({ length: 24 }, (_, i) => `concurrent-${String(i).padStart(2, '0')}.md`);
    await Promise.all(
      paths.map((path, i) =>
        harness.upload(path, postText({ title: `Post ${i}`, date: `2024-0${1 + (i % 6)}-1${i % 10}T10:00:00Z` })),
      ),
    );

    // Act: every invocation runs at once, as Lambda would scale them out.
    await Promise.all(paths.map((path) => harness.handler()(s3Event('created', `posts/${path}`))));

    // Assess
    const titles = (await feedItems()).map((item) => item.title).sort();
    expect(titles).toEqual(paths.map((_, i) => `Post ${i}`).sort());
    const archive = await harness.readPublic('archive/index.html');
    for (const month of ['2024/01', '2024/02', '2024/03', '2024/04', '2024/05', '2024/06']) {
      expect(archive).toContain(`archive/${month}/`);
      const page = (await harness.readPublic(`archive/${month}/index.html`)) ?? '';
      expect(new Set(page.match(/Post \d+/g)).size).toBe(4);
    }
    const state = await harness.index.renderLock.getSiteState();
    expect(state.renderedRevision).toBe(state.revision);
    expect(await harness.index.dirtyMarks.listDirty()).toEqual([]);
  });

  it('rejects a broken post with a report beside it and a structured log line, and publishes the rest', async () => {
    // Prepare
    await harness.upload('good.md', postText({ title: 'Good one' }));
    await harness.upload('broken.md', '---\ntitle: [unclosed\ndate: 2024-11-14\n---\n\nBody.\n');

    // Act
    const results = await harness.handler()({
      Records: [...s3Event('created', 'posts/broken.md').Records, ...s3Event('created', 'posts/good.md').Records],
    });

    // Assess
    expect(results.map((r) => (r.kind === 'post' ? r.status : r.kind))).toEqual(['rejected', 'published']);
    const report = await harness.readObject('posts/broken.md.report.txt');
    expect(report?.body).toMatch(/posts\/broken\.md:\d+: error: /);
    expect(harness.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'post rejected',
        fields: expect.objectContaining({ sourcePath: 'broken.md' }),
      }),
    );
    expect((await feedItems()).map((item) => item.title)).toEqual(['Good one']);
  });

  it('keeps the published version online when an edit is rejected, and clears the report once fixed', async () => {
    // Prepare
    await publish('post.md', postText({ title: 'Live version' }));

    // Act
    await publish('post.md', postText({ title: '' }));
    const whileBroken = await feedItems();
    const reportWhileBroken = await harness.readObject('posts/post.md.report.txt');
    await publish('post.md', postText({ title: 'Fixed version' }));

    // Assess
    expect(whileBroken.map((item) => item.title)).toEqual(['Live version']);
    expect(reportWhileBroken?.body).toContain('title');
    expect(await harness.readObject('posts/post.md.report.txt')).toBeUndefined();
    expect((await feedItems()).map((item) => item.title)).toEqual(['Fixed version']);
  });

  it('publishes the second of two files wanting the same slug at its dated slug, naming the first', async () => {
    // Prepare
    await publish('first.md', postText({ title: 'First', slug: 'shared', date: '2023-05-01T10:00:00Z' }));

    // Act
    const [result] = await publish('second.md', postText({ title: 'Second', slug: 'shared' }));

    // Assess
    expect(result).toMatchObject({ kind: 'post', status: 'published' });
    expect(result && 'problems' in result ? result.problems : []).toEqual([
      expect.objectContaining({
        field: 'slug',
        severity: 'warning',
        message: expect.stringContaining('posts/first.md'),
      }),
    ]);
    expect((await feedItems()).map((item) => [item.title, item.url])).toEqual([
      ['Second', 'https://notes.example/posts/shared-2024-11-14/'],
      ['First', 'https://notes.example/posts/shared/'],
    ]);
  });

  it('keeps the dated slug of a post once the post with the plain slug is gone', async () => {
    // Prepare
    await publish('first.md', postText({ title: 'First', slug: 'shared', date: '2023-05-01T10:00:00Z' }));
    await publish('second.md', postText({ title: 'Second', slug: 'shared' }));
    await harness.remove('first.md');
    await harness.handler()(s3Event('removed', 'posts/first.md'));

    // Act
    await publish('second.md', postText({ title: 'Second, edited', slug: 'shared' }));

    // Assess
    expect((await feedItems()).map((item) => [item.title, item.url])).toEqual([
      ['Second, edited', 'https://notes.example/posts/shared-2024-11-14/'],
    ]);
  });

  it('rejects the third of three files wanting the same slug on the same day, naming the first', async () => {
    // Prepare
    await publish('first.md', postText({ title: 'First', slug: 'shared' }));
    await publish('second.md', postText({ title: 'Second', slug: 'shared' }));

    // Act
    const [result] = await publish('third.md', postText({ title: 'Third', slug: 'shared' }));

    // Assess
    expect(result).toMatchObject({ kind: 'post', status: 'rejected' });
    expect((await harness.readObject('posts/third.md.report.txt'))?.body).toContain('posts/first.md');
    expect((await feedItems()).map((item) => item.title).sort()).toEqual(['First', 'Second']);
  });

  it('knows the files uploaded beside a post: an image that is there passes, one that is not is a warning', async () => {
    // Prepare
    await harness.upload('2024/cover.png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47]));
    const body = '![Cover](cover.png) and ![Gone](gone.png)';

    // Act
    const [result] = await publish('2024/pictures.md', postText({ title: 'Pictures', body }));

    // Assess
    expect(result && 'problems' in result ? result.problems.map((problem) => problem.message) : []).toEqual([
      expect.stringMatching(/^The image "gone\.png" points at 2024\/gone\.png, which is not among the uploaded files/),
    ]);
  });

  it('publishes images uploaded beside posts and removes them when deleted', async () => {
    // Prepare
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    await harness.upload('2024/cover.png', png);

    // Act
    await harness.handler()(s3Event('created', 'posts/2024/cover.png'));
    const published = await harness.readObject('site/posts/2024/cover.png');
    await harness.remove('2024/cover.png');
    await harness.handler()(s3Event('removed', 'posts/2024/cover.png'));

    // Assess
    expect(published?.contentType).toBe('image/png');
    expect(await harness.readObject('site/posts/2024/cover.png')).toBeUndefined();
  });

  it('reads a migrated site’s settings and templates, and parses the posts again when one of them changes', async () => {
    // Prepare
    const jekyll = postText({ title: 'Jekyll', slug: 'jekyll', body: 'Code at {{ site.repository }}.' });
    const hugo = postText({ title: 'Hugo', slug: 'hugo', body: '{{< note >}}Mind the gap{{< /note >}}' });
    await harness.upload('_config.yml', 'repository: https://code.example/me/blog\n');
    await harness.upload('layouts/shortcodes/note.html', '<aside class="note">{{ .Inner }}</aside>');
    await publish('2024/jekyll.md', jekyll);
    await publish('2024/hugo.md', hugo);
    // With a _config.yml, posts keep the addresses Jekyll gives them (its default `date` style).
    const before = await harness.readPublic('2024/11/14/jekyll.html');

    // Act
    await harness.upload('_config.yml', 'repository: https://code.example/me/new-home\n');
    const changed = await harness.handler()(s3Event('created', 'posts/_config.yml'));
    const duplicate = await harness.handler()(s3Event('created', 'posts/_config.yml'));

    // Assess
    expect(before).toContain('https://code.example/me/blog');
    expect(await harness.readPublic('2024/11/14/hugo.html')).toContain('<aside>Mind the gap</aside>');
    expect(await harness.readPublic('2024/11/14/jekyll.html')).toContain('https://code.example/me/new-home');
    expect(changed).toMatchObject([{ kind: 'site-file', sourcePath: '_config.yml', reparsed: 2, problems: [] }]);
    expect(duplicate).toMatchObject([{ kind: 'site-file', reparsed: 0 }]);
    expect(await harness.readPublic('posts/_config.yml')).toBeUndefined();
    expect(await harness.readPublic('posts/layouts/shortcodes/note.html')).toBeUndefined();
  });

  it('holds a scheduled post and publishes it once it comes due', async () => {
    // Prepare
    const { publishDue } = await import('../../functions/app/publish.ts');
    await publish('later.md', postText({ title: 'Later', date: '2099-01-01T00:00:00Z' }));
    const heldItems = await feedItems();

    // Act
    await publishDue({
      content: harness.content,
      ...harness.index,
      site: harness.site,
      now: () => new Date('2099-01-01T00:05:00Z'),
      log: { info() {}, warn() {}, error() {} },
      owner: 'timer',
      sleep: async () => {},
    });

    // Assess
    expect(heldItems).toEqual([]);
    expect((await feedItems()).map((item) => item.title)).toEqual(['Later']);
  });

  it('repairs what a renderer slower than its lease wrote after another renderer took over', async () => {
    // Prepare: a stall no stand-in can produce, so the content store is wrapped to hold the first feed write.
    await harness.upload('first.md', postText({ title: 'First', date: '2024-11-01T00:00:00Z' }));
    await harness.upload('second.md', postText({ title: 'Second', date: '2024-11-02T00:00:00Z' }));
    const gate = createGate();
    let held = false;
    const stalling: ContentStore = {
      ...harness.content,
      writePublic: async (file) => {
        if (!held && file.path === 'feed.xml') {
          held = true;
          await gate.pass();
        }
        await harness.content.writePublic(file);
      },
    };

    // One clock for both invocations, moved by the test: the lease runs out because the test says so, not because
    // some real time passed.
    let clock = Date.parse('2024-12-01T00:00:00Z');
    const now = () => new Date(clock);

    // Act: the slow renderer stalls with a feed that lacks the second post; its lease runs out; another
    // invocation publishes the second post; then the slow renderer's stale write lands.
    const slow = harness.handler({ content: stalling, leaseMs: 150, now })(s3Event('created', 'posts/first.md'));
    await gate.reached;
    clock += 250;
    await harness.handler({ leaseMs: 150, now })(s3Event('created', 'posts/second.md'));
    gate.open();
    await slow;

    // Assess
    expect((await feedItems()).map((item) => item.title)).toEqual(['Second', 'First']);
    expect(harness.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('lease ran out') }),
    );
  });

  it('publishes a post whose record lands after another renderer already cleared its first dirty marks', async () => {
    // Prepare: an interleaving the stand-ins only produce by chance, so the index is wrapped to hold one write.
    await harness.upload('early.md', postText({ title: 'Early', date: '2024-11-01T00:00:00Z' }));
    await harness.upload('late.md', postText({ title: 'Late', date: '2024-11-02T00:00:00Z' }));
    const gate = createGate();
    const holding: SourceIndex = {
      ...harness.index.sources,
      putSource: async (record) => {
        await gate.pass();
        await harness.index.sources.putSource(record);
      },
    };

    // Act: `late` marks its outputs and stalls before writing its record; `early` publishes meanwhile, rendering
    // (and clearing) late's marks without late's record; then late's write lands.
    const late = harness.handler({ sources: holding })(s3Event('created', 'posts/late.md'));
    await gate.reached;
    await harness.handler()(s3Event('created', 'posts/early.md'));
    gate.open();
    await late;

    // Assess
    expect((await feedItems()).map((item) => item.title)).toEqual(['Late', 'Early']);
    expect(await harness.readPublic('posts/late/index.html')).toContain('Late');
  });

  it('keeps the progress of a render that ran out of time, and finishes it on retry', async () => {
    // Prepare
    await harness.upload('slow.md', postText({ title: 'Slow' }));

    // Act: no time at all to render on the first attempt; Lambda retries the event.
    await expect(harness.handler({ waitMs: 0 })(s3Event('created', 'posts/slow.md'))).rejects.toThrow();
    const lockAfterFailure = (await harness.index.renderLock.getSiteState()).lockOwner;
    await harness.handler()(s3Event('created', 'posts/slow.md'));

    // Assess
    expect(lockAfterFailure).toBeUndefined();
    expect((await feedItems()).map((item) => item.title)).toEqual(['Slow']);
    expect(await harness.index.dirtyMarks.listDirty()).toEqual([]);
  });

  it('withdraws an expired post even when its latest edit was rejected', async () => {
    // Prepare
    const { publishDue } = await import('../../functions/app/publish.ts');
    const at = (iso: string) => () => new Date(iso);
    await harness.upload('brief.md', postText({ title: 'Brief', extra: 'expiryDate: 2024-12-01T00:00:00Z' }));
    await harness.handler({ now: at('2024-11-20T00:00:00Z') })(s3Event('created', 'posts/brief.md'));
    await harness.upload('brief.md', postText({ title: '', extra: 'expiryDate: 2024-12-01T00:00:00Z' }));
    await harness.handler({ now: at('2024-11-21T00:00:00Z') })(s3Event('created', 'posts/brief.md'));
    const beforeExpiry = await feedItems();

    // Act
    await publishDue({
      content: harness.content,
      ...harness.index,
      site: harness.site,
      now: at('2024-12-01T00:05:00Z'),
      log: { info() {}, warn() {}, error() {} },
      owner: 'timer',
      sleep: async () => {},
    });

    // Assess
    expect(beforeExpiry.map((item) => item.title)).toEqual(['Brief']);
    expect(await feedItems()).toEqual([]);
    expect(await harness.readPublic('posts/brief/index.html')).toBeUndefined();
  });

  it('finishes the work of an invocation that crashed halfway through rendering, on retry', async () => {
    // Prepare: a fault no stand-in can produce, so the content store is wrapped to fail once mid-render.
    await harness.upload('crash.md', postText({ title: 'Survives a crash' }));
    let failed = false;
    const flaky: ContentStore = {
      ...harness.content,
      writePublic: async (file) => {
        if (!failed && file.path === 'atom.xml') {
          failed = true;
          throw new Error('simulated crash while writing atom.xml');
        }
        await harness.content.writePublic(file);
      },
    };

    let clock = Date.parse('2024-12-01T00:00:00Z');
    const now = () => new Date(clock);

    // Act: the first attempt dies holding the render lease; Lambda retries the event once the lease has run out.
    await expect(
      harness.handler({ content: flaky, leaseMs: 300, now })(s3Event('created', 'posts/crash.md')),
    ).rejects.toThrow();
    clock += 301;
    await harness.handler({ leaseMs: 300, now })(s3Event('created', 'posts/crash.md'));

    // Assess
    expect((await feedItems()).map((item) => item.title)).toEqual(['Survives a crash']);
    expect(parseFeed((await harness.readPublic('atom.xml')) ?? '').items.map((i) => i.title)).toEqual([
      'Survives a crash',
    ]);
    expect(await harness.index.dirtyMarks.listDirty()).toEqual([]);
  });
});

describe('publish handler, old addresses', () => {
  it('leaves a redirect at the old address when a post’s slug changes, and keeps its feed id', async () => {
    // Prepare
    await publish('hello.md', postText({ title: 'Moving', slug: 'first-name' }));
    const [before] = await feedItems();

    // Act
    await publish('hello.md', postText({ title: 'Moving', slug: 'second-name' }));

    // Assess
    const [after] = await feedItems();
    expect(after).toEqual({ ...before, url: 'https://notes.example/posts/second-name/' });
    expect(await harness.readPublic('posts/second-name/index.html')).toContain('Moving');
    const alias = await harness.readPublic('posts/first-name/index.html');
    expect(alias).toContain('http-equiv="refresh"');
    expect(alias).toContain('https://notes.example/posts/second-name/');
  });

  it('writes an alias file for each old address in the front matter, and removes one the author drops', async () => {
    // Prepare
    const withAliases = (aliases: string) =>
      postText({ title: 'Aliased', slug: 'aliased', extra: `aliases: ${aliases}` });
    await publish('a.md', withAliases('[/2019/old-name/, /2019/older.html]'));
    const both = [await harness.readPublic('2019/old-name/index.html'), await harness.readPublic('2019/older.html')];

    // Act
    await publish('a.md', withAliases('[/2019/older.html]'));

    // Assess
    for (const alias of both) expect(alias).toContain('url=https://notes.example/posts/aliased/');
    expect(await harness.readPublic('2019/old-name/index.html')).toBeUndefined();
    expect(await harness.readPublic('2019/older.html')).toContain('url=https://notes.example/posts/aliased/');
  });

  it('gives an old address to the first post that claims it, and warns the second', async () => {
    // Prepare
    await publish('a.md', postText({ title: 'First', slug: 'first', extra: 'aliases: [/shared/]' }));

    // Act
    const [second] = await publish('b.md', postText({ title: 'Second', slug: 'second', extra: 'aliases: [/shared/]' }));

    // Assess
    expect(second).toMatchObject({ status: 'published' });
    expect(JSON.stringify(second)).toContain('The old address /shared/ already redirects to a.md');
    expect(await harness.readPublic('shared/index.html')).toContain('url=https://notes.example/posts/first/');
  });

  it('never writes an alias over a page, whichever way the address is spelled', async () => {
    // Prepare
    await publish('first.md', postText({ title: 'First', slug: 'first' }));

    // Act
    await publish(
      'second.md',
      postText({ title: 'Second', slug: 'second', extra: 'aliases: [/posts/first/index.html]' }),
    );
    await publish('third.md', postText({ title: 'Third', slug: 'third', extra: 'aliases: [/posts/third/index.html]' }));

    // Assess
    expect(await harness.readPublic('posts/first/index.html')).toContain('First');
    expect(await harness.readPublic('posts/third/index.html')).toContain('Third');
    expect(await harness.readPublic('posts/third/index.html')).not.toContain('http-equiv="refresh"');
  });

  it('publishes the posts of a moved Jekyll site at their old addresses, with jekyll-feed’s ids', async () => {
    // Prepare
    await harness.upload('_config.yml', 'url: https://old.example\npermalink: /:year/:title/\n');

    // Act
    await publish('_posts/2024-11-14-kept-address.md', postText({ title: 'Kept' }));

    // Assess
    expect(await harness.readPublic('2024/kept-address/index.html')).toContain('Kept');
    expect(await feedItems()).toEqual([
      { id: 'https://old.example/2024/kept-address', title: 'Kept', url: 'https://notes.example/2024/kept-address/' },
    ]);
  });
});

describe('publish handler, a file renamed in the bucket', () => {
  it('keeps the feed id of a post renamed to a new slug with the same id, and redirects its old address', async () => {
    // Prepare: `aws s3 mv` copies to the new name, then deletes the old one.
    const text = (slug: string) => postText({ title: 'Renamed', slug, id: 'heron-notes' });
    await publish('old-name.md', text('old-name'));
    const [before] = await feedItems();
    await harness.upload('new-name.md', text('new-name'));
    await harness.remove('old-name.md');

    // Act
    await harness.handler()(s3Event('created', 'posts/new-name.md'));
    await harness.handler()(s3Event('removed', 'posts/old-name.md'));

    // Assess
    expect(await feedItems()).toEqual([{ ...before, url: 'https://notes.example/posts/new-name/' }]);
    expect(await harness.readPublic('posts/new-name/index.html')).toContain('Renamed');
    expect(await harness.readPublic('posts/old-name/index.html')).toContain(
      'url=https://notes.example/posts/new-name/',
    );
  });
});

describe('publish handler, the same text under a new name', () => {
  it.each([
    ['creation', 'deletion'],
    ['deletion', 'creation'],
  ])('keeps the feed id and redirects the old address when the %s event arrives first', async (first) => {
    // Prepare: no slug and no id, so the new file name gives the post a new slug.
    const text = postText({ title: 'Tide tables', body: 'Low water at six.' });
    await publish('tide-tables.md', text);
    const [before] = await feedItems();
    await harness.upload('2024-tides.md', text);
    await harness.remove('tide-tables.md');
    const created = s3Event('created', 'posts/2024-tides.md');
    const removed = s3Event('removed', 'posts/tide-tables.md');

    // Act
    for (const event of first === 'creation' ? [created, removed] : [removed, created]) await harness.handler()(event);
    await harness.handler()(created);

    // Assess
    expect(await feedItems()).toEqual([{ ...before, url: 'https://notes.example/posts/2024-tides/' }]);
    expect(await harness.readPublic('posts/tide-tables/index.html')).toContain(
      'url=https://notes.example/posts/2024-tides/',
    );
  });

  it('gives a copy of a post that still exists an id and address of its own', async () => {
    // Prepare
    const text = postText({ title: 'Twice', body: 'The same words.' });
    await publish('one.md', text);

    // Act
    await publish('two.md', text);

    // Assess
    const items = await feedItems();
    expect(items).toHaveLength(2);
    expect(new Set(items.map((item) => item.id)).size).toBe(2);
    expect(await harness.readPublic('posts/one/index.html')).toContain('The same words.');
  });
});

describe('publish handler, a site that uploads its Jekyll settings later', () => {
  it('moves its posts to the Jekyll addresses, keeps their ids, and redirects the addresses they had', async () => {
    // Prepare
    await publish('_posts/2024-11-14-early.md', postText({ title: 'Early' }));
    const [before] = await feedItems();

    // Act
    await harness.upload('_config.yml', 'url: https://old.example\npermalink: /:year/:title/\n');
    await harness.handler()(s3Event('created', 'posts/_config.yml'));

    // Assess
    expect(await feedItems()).toEqual([{ ...before, url: 'https://notes.example/2024/early/' }]);
    expect(await harness.readPublic('2024/early/index.html')).toContain('Early');
    expect(await harness.readPublic('posts/early/index.html')).toContain('url=https://notes.example/2024/early/');
  });
});

describe('publish handler, one file under two spellings', () => {
  it('keeps the page of a kept address when another post redirects from it spelled otherwise, and says so', async () => {
    // Prepare: in a Jekyll site, /notes/v1.2 is published as notes/v1.2.html.
    await harness.upload('_config.yml', 'url: https://old.example\n');
    await publish('_posts/2024-11-14-release.md', postText({ title: 'Release', extra: 'permalink: /notes/v1.2' }));

    // Act
    const [other] = await publish(
      '_posts/2024-11-15-other.md',
      postText({ title: 'Other', date: '2024-11-15T09:30:00Z', extra: 'redirect_from: [/notes/v1.2.html]' }),
    );

    // Assess
    expect(await harness.readPublic('notes/v1.2.html')).toContain('Release');
    expect(JSON.stringify(other)).toContain('is where _posts/2024-11-14-release.md is published');
  });

  it('rejects a second post whose kept address is another spelling of the first one’s page file', async () => {
    // Prepare
    await harness.upload('_config.yml', 'url: https://old.example\n');
    await publish('_posts/2024-11-14-a.md', postText({ title: 'First', extra: 'permalink: /notes/v1.2' }));

    // Act
    const [second] = await publish(
      '_posts/2024-11-15-b.md',
      postText({ title: 'Second', date: '2024-11-15T09:30:00Z', extra: 'permalink: /notes/v1.2.html' }),
    );

    // Assess
    expect(second).toMatchObject({ status: 'rejected' });
    expect(await harness.readPublic('notes/v1.2.html')).toContain('First');
  });
});
