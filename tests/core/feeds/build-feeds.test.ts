import { describe, expect, it } from 'vitest';
import { buildFeeds, FeedError } from '../../../functions/core/feeds/build-feeds.ts';
import { makePost, makeSite, readXml } from '../../support/feed-fixtures.ts';

const NOW = new Date('2030-01-01T00:00:00Z');
const HOSTILE_XML_TITLE = 'Close </title>]]><script>alert(1)</script> &amp; more';
const HOSTILE_ATOM_TITLE = 'Close </title></entry></feed>]]><script>x</script>';
const HOSTILE_JSON_TITLE = 'Close "}]} {"title": "x\\"';

describe('buildFeeds: RSS 2.0', () => {
  it('describes the channel with the site and the newest post date', () => {
    // Prepare
    const posts = [makePost({ date: '2024-11-14T09:00:00Z' }), makePost({ id: 'b', date: '2024-11-01T09:00:00Z' })];

    // Act
    const { rss } = buildFeeds(posts, makeSite(), NOW);

    // Assess
    const channel = readXml(rss, (q) => ({
      title: q('/rss/channel/title'),
      link: q('/rss/channel/link'),
      description: q('/rss/channel/description'),
      language: q('/rss/channel/language'),
      lastBuildDate: q('/rss/channel/lastBuildDate'),
      generator: q('/rss/channel/generator'),
      docs: q('/rss/channel/docs'),
      managingEditor: q('/rss/channel/managingEditor'),
      version: q('/rss/@version'),
    }));
    expect(channel).toEqual({
      title: ['Field Notes'],
      link: ['https://notes.example/'],
      description: ['Short essays on building small, durable software.'],
      language: ['en-GB'],
      lastBuildDate: ['Thu, 14 Nov 2024 09:00:00 GMT'],
      generator: ['feedmail'],
      docs: ['https://www.rssboard.org/rss-specification'],
      managingEditor: ['ada@notes.example (Ada Example)'],
      version: ['2.0'],
    });
  });

  it('points atom:link rel=self at feed.xml', () => {
    // Prepare
    const site = makeSite({ baseUrl: 'https://blog.example/notes/' });

    // Act
    const { rss } = buildFeeds([makePost()], site, NOW);

    // Assess
    const self = readXml(rss, (q) => ({
      href: q('/rss/channel/atom:link[@rel="self"]/@href'),
      type: q('/rss/channel/atom:link[@rel="self"]/@type'),
    }));
    expect(self).toEqual({ href: ['https://blog.example/notes/feed.xml'], type: ['application/rss+xml'] });
  });

  it('marks a guid that is not the post URL with isPermaLink="false"', () => {
    // Prepare
    const post = makePost({ id: 'tag:notes.example,2019:hello-world' });

    // Act
    const { rss } = buildFeeds([post], makeSite(), NOW);

    // Assess
    const guid = readXml(rss, (q) => ({ value: q('//item/guid'), isPermaLink: q('//item/guid/@isPermaLink') }));
    expect(guid).toEqual({ value: ['tag:notes.example,2019:hello-world'], isPermaLink: ['false'] });
  });

  it('marks a guid that is the post URL as a permalink', () => {
    // Prepare
    const post = makePost({ id: 'https://notes.example/posts/hello-world/' });

    // Act
    const { rss } = buildFeeds([post], makeSite(), NOW);

    // Assess
    expect(readXml(rss, (q) => q('//item/guid/@isPermaLink'))).toEqual(['true']);
  });

  it('writes the summary as description and the full HTML as content:encoded', () => {
    // Prepare
    const post = makePost({ summary: 'Plain <text> & more', html: '<p>Full <em>body</em> ]]> here</p>' });

    // Act
    const { rss } = buildFeeds([post], makeSite(), NOW);

    // Assess
    const item = readXml(rss, (q) => ({ description: q('//item/description'), content: q('//item/content:encoded') }));
    expect(item).toEqual({
      description: ['Plain &lt;text&gt; &amp; more'],
      content: ['<p>Full <em>body</em> ]]> here</p>'],
    });
  });

  it('names authors with dc:creator and never puts a name in author', () => {
    // Prepare
    const post = makePost({
      authors: [{ name: 'Ada Example' }, { name: 'Grace Example', email: 'grace@notes.example' }],
    });

    // Act
    const { rss } = buildFeeds([post], makeSite(), NOW);

    // Assess
    const item = readXml(rss, (q) => ({ creators: q('//item/dc:creator'), author: q('//item/author') }));
    expect(item).toEqual({ creators: ['Ada Example', 'Grace Example'], author: [] });
  });

  it('files each tag and category once', () => {
    // Prepare
    const post = makePost({ tags: ['aws', 'feeds'], categories: ['feeds', 'Engineering'] });

    // Act
    const { rss } = buildFeeds([post], makeSite(), NOW);

    // Assess
    expect(readXml(rss, (q) => q('//item/category'))).toEqual(['aws', 'feeds', 'Engineering']);
  });

  it('keeps a title that tries to close its own tag as text', () => {
    // Prepare
    const post = makePost({ title: HOSTILE_XML_TITLE });
    const site = makeSite({ title: HOSTILE_XML_TITLE });

    // Act
    const { rss } = buildFeeds([post], site, NOW);

    // Assess
    const titles = readXml(rss, (q) => ({
      channel: q('/rss/channel/title'),
      item: q('//item/title'),
      scripts: q('//script'),
    }));
    expect(titles).toEqual({ channel: [HOSTILE_XML_TITLE], item: [HOSTILE_XML_TITLE], scripts: [] });
  });
});

describe('buildFeeds: Atom 1.0', () => {
  it('describes the feed with id, title, updated, self and alternate links and an author', () => {
    // Prepare
    const posts = [makePost({ date: '2024-11-14T09:00:00Z' })];

    // Act
    const { atom } = buildFeeds(posts, makeSite(), NOW);

    // Assess
    const feed = readXml(atom, (q) => ({
      id: q('/a:feed/a:id'),
      title: q('/a:feed/a:title'),
      subtitle: q('/a:feed/a:subtitle'),
      updated: q('/a:feed/a:updated'),
      self: q('/a:feed/a:link[@rel="self"]/@href'),
      selfType: q('/a:feed/a:link[@rel="self"]/@type'),
      alternate: q('/a:feed/a:link[@rel="alternate"]/@href'),
      author: q('/a:feed/a:author/*'),
      language: q('/a:feed/@xml:lang'),
    }));
    expect(feed).toEqual({
      id: ['https://notes.example/'],
      title: ['Field Notes'],
      subtitle: ['Short essays on building small, durable software.'],
      updated: ['2024-11-14T09:00:00Z'],
      self: ['https://notes.example/atom.xml'],
      selfType: ['application/atom+xml'],
      alternate: ['https://notes.example/'],
      author: ['Ada Example', 'ada@notes.example', 'https://ada.example/'],
      language: ['en-GB'],
    });
  });

  it('writes an entry with the post id, dates, escaped summary, HTML content, categories and link', () => {
    // Prepare
    const post = makePost({
      date: '2024-11-14T09:00:00Z',
      updated: '2024-11-15T10:30:00Z',
      summary: 'Plain <b>not bold</b>',
      html: '<p>Body</p>',
      tags: ['aws'],
      categories: ['essays'],
    });

    // Act
    const { atom } = buildFeeds([post], makeSite(), NOW);

    // Assess
    const entry = readXml(atom, (q) => ({
      id: q('//a:entry/a:id'),
      title: q('//a:entry/a:title'),
      published: q('//a:entry/a:published'),
      updated: q('//a:entry/a:updated'),
      summary: q('//a:entry/a:summary'),
      summaryType: q('//a:entry/a:summary/@type'),
      content: q('//a:entry/a:content'),
      contentType: q('//a:entry/a:content/@type'),
      categories: q('//a:entry/a:category/@term'),
      link: q('//a:entry/a:link[@rel="alternate"]/@href'),
      author: q('//a:entry/a:author/a:name'),
    }));
    expect(entry).toEqual({
      id: ['tag:notes.example,2019:hello-world'],
      title: ['Hello, world'],
      published: ['2024-11-14T09:00:00Z'],
      updated: ['2024-11-15T10:30:00Z'],
      summary: ['Plain &lt;b&gt;not bold&lt;/b&gt;'],
      summaryType: ['html'],
      content: ['<p>Body</p>'],
      contentType: ['html'],
      categories: ['aws', 'essays'],
      link: ['https://notes.example/posts/hello-world/'],
      author: ['Ada Example'],
    });
  });

  it('uses the post date as updated when the post was never edited', () => {
    // Prepare
    const post = makePost({ date: '2024-11-14T09:00:00Z' });

    // Act
    const { atom } = buildFeeds([post], makeSite(), NOW);

    // Assess
    expect(readXml(atom, (q) => q('//a:entry/a:updated'))).toEqual(['2024-11-14T09:00:00Z']);
  });

  it('names the site as the feed author when the site has no author', () => {
    // Prepare
    const { author: _ignored, ...site } = makeSite();
    const post = makePost({ authors: [] });

    // Act
    const { atom } = buildFeeds([post], site, NOW);

    // Assess
    expect(readXml(atom, (q) => q('/a:feed/a:author/a:name'))).toEqual(['Field Notes']);
  });

  it('keeps a title that tries to close its own tags as text', () => {
    // Prepare
    const post = makePost({ title: HOSTILE_ATOM_TITLE });

    // Act
    const { atom } = buildFeeds([post], makeSite(), NOW);

    // Assess
    const read = readXml(atom, (q) => ({
      title: q('//a:entry/a:title'),
      type: q('//a:entry/a:title/@type'),
      entries: q('//a:entry/a:id'),
    }));
    expect(read).toEqual({ title: [HOSTILE_ATOM_TITLE], type: ['text'], entries: [makePost().id] });
  });
});

describe('buildFeeds: JSON Feed 1.1', () => {
  it('describes the feed with version 1.1, URLs, language and authors', () => {
    // Prepare
    const site = makeSite();

    // Act
    const { json } = buildFeeds([makePost()], site, NOW);

    // Assess
    const { items: _items, ...feed } = JSON.parse(json);
    expect(feed).toEqual({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Field Notes',
      home_page_url: 'https://notes.example/',
      feed_url: 'https://notes.example/feed.json',
      description: 'Short essays on building small, durable software.',
      language: 'en-GB',
      authors: [{ name: 'Ada Example', url: 'https://ada.example/' }],
    });
  });

  it('writes items with id, url, title, HTML, summary, dates, tags, authors and image', () => {
    // Prepare
    const post = makePost({ date: '2024-11-14T09:00:00Z', updated: '2024-11-15T10:30:00Z' });

    // Act
    const { json } = buildFeeds([post], makeSite(), NOW);

    // Assess
    expect(JSON.parse(json).items).toEqual([
      {
        id: 'tag:notes.example,2019:hello-world',
        url: 'https://notes.example/posts/hello-world/',
        title: 'Hello, world',
        content_html: post.html,
        summary: 'A first post & a plain-text summary.',
        image: 'https://notes.example/a.png',
        date_published: '2024-11-14T09:00:00Z',
        date_modified: '2024-11-15T10:30:00Z',
        tags: ['intro', 'meta', 'essays'],
        authors: [{ name: 'Ada Example', url: 'https://ada.example/' }],
      },
    ]);
  });

  it('leaves out what a post does not have', () => {
    // Prepare
    const { image: _image, ...bare } = makePost({ summary: '', tags: [], categories: [], authors: [] });

    // Act
    const { json } = buildFeeds([bare], makeSite(), NOW);

    // Assess
    expect(Object.keys(JSON.parse(json).items[0])).toEqual([
      'id',
      'url',
      'title',
      'content_html',
      'date_published',
      'date_modified',
    ]);
  });

  it('keeps a title that tries to close its own string and object', () => {
    // Prepare
    const post = makePost({ title: HOSTILE_JSON_TITLE });

    // Act
    const { json } = buildFeeds([post], makeSite(), NOW);

    // Assess
    const feed = JSON.parse(json);
    expect({ title: feed.items[0].title, count: feed.items.length, keys: Object.keys(feed).length }).toEqual({
      title: HOSTILE_JSON_TITLE,
      count: 1,
      keys: 8,
    });
  });
});

describe('buildFeeds: every format', () => {
  it('shows a post dated 10:28 at +02:00 as 08:28 UTC', () => {
    // Prepare
    const post = makePost({ date: '2019-10-25T10:28:00+02:00' });

    // Act
    const { rss, atom, json } = buildFeeds([post], makeSite(), NOW);

    // Assess
    expect({
      rss: readXml(rss, (q) => q('//item/pubDate')),
      atom: readXml(atom, (q) => q('//a:entry/a:published')),
      json: JSON.parse(json).items[0].date_published,
    }).toEqual({
      rss: ['Fri, 25 Oct 2019 08:28:00 GMT'],
      atom: ['2019-10-25T08:28:00Z'],
      json: '2019-10-25T08:28:00Z',
    });
  });

  it('gives byte-identical output when rebuilt from unchanged input at another time', () => {
    // Prepare
    const posts = [makePost({ id: 'a' }), makePost({ id: 'b', date: '2019-10-20T10:00:00Z' })];

    // Act
    const first = buildFeeds(posts, makeSite(), new Date('2030-01-01T00:00:00Z'));
    const second = buildFeeds(structuredClone(posts), makeSite(), new Date('2031-06-01T12:34:56Z'));

    // Assess
    expect(second).toEqual(first);
  });

  it('dates an empty feed with now', () => {
    // Prepare
    const now = new Date('2030-01-02T03:04:05Z');

    // Act
    const { rss, atom, json } = buildFeeds([], makeSite(), now);

    // Assess
    expect({
      rss: readXml(rss, (q) => [...q('/rss/channel/lastBuildDate'), ...q('//item')]),
      atom: readXml(atom, (q) => [...q('/a:feed/a:updated'), ...q('//a:entry')]),
      json: JSON.parse(json).items,
    }).toEqual({ rss: ['Wed, 02 Jan 2030 03:04:05 GMT'], atom: ['2030-01-02T03:04:05Z'], json: [] });
  });

  it('dates the feed by the latest edit, even of an older post', () => {
    // Prepare
    const posts = [
      makePost({ id: 'new', date: '2024-11-10T00:00:00Z' }),
      makePost({ id: 'old', date: '2024-01-01T00:00:00Z', updated: '2024-11-12T08:00:00Z' }),
    ];

    // Act
    const { rss, atom } = buildFeeds(posts, makeSite(), NOW);

    // Assess
    expect({
      rss: readXml(rss, (q) => q('/rss/channel/lastBuildDate')),
      atom: readXml(atom, (q) => q('/a:feed/a:updated')),
    }).toEqual({ rss: ['Tue, 12 Nov 2024 08:00:00 GMT'], atom: ['2024-11-12T08:00:00Z'] });
  });

  it('carries no more posts than the feed size', () => {
    // Prepare
    const posts = ['a', 'b', 'c'].map((id) => makePost({ id: `tag:notes.example,2024:${id}` }));

    // Act
    const { rss, atom, json } = buildFeeds(posts, makeSite({ feedSize: 2 }), NOW);

    // Assess
    expect({
      rss: readXml(rss, (q) => q('//item/guid')),
      atom: readXml(atom, (q) => q('//a:entry/a:id')),
      json: JSON.parse(json).items.map((item: { id: string }) => item.id),
    }).toEqual({
      rss: ['tag:notes.example,2024:a', 'tag:notes.example,2024:b'],
      atom: ['tag:notes.example,2024:a', 'tag:notes.example,2024:b'],
      json: ['tag:notes.example,2024:a', 'tag:notes.example,2024:b'],
    });
  });

  it('strips control characters from every text but keeps tabs and newlines', () => {
    // Prepare
    const post = makePost({
      title: 'Bell\u0007 and\tTab',
      summary: 'Line\r\nbreak\u0000',
      html: '<p>Form\u000Cfeed</p>',
      tags: ['ta\u001Bg'],
      categories: [],
      authors: [{ name: 'A\u0001da' }],
    });

    // Act
    const { rss, atom, json } = buildFeeds([post], makeSite({ title: 'Site\u0008' }), NOW);

    // Assess
    const expected = {
      site: 'Site',
      title: 'Bell and\tTab',
      summary: 'Line\nbreak',
      html: '<p>Formfeed</p>',
      tag: 'tag',
      author: 'Ada',
    };
    const item = JSON.parse(json).items[0];
    expect({
      rss: readXml(rss, (q) => ({
        site: q('/rss/channel/title')[0],
        title: q('//item/title')[0],
        summary: q('//item/description')[0],
        html: q('//item/content:encoded')[0],
        tag: q('//item/category')[0],
        author: q('//item/dc:creator')[0],
      })),
      atom: readXml(atom, (q) => ({
        site: q('/a:feed/a:title')[0],
        title: q('//a:entry/a:title')[0],
        summary: q('//a:entry/a:summary')[0],
        html: q('//a:entry/a:content')[0],
        tag: q('//a:entry/a:category/@term')[0],
        author: q('//a:entry/a:author/a:name')[0],
      })),
      json: {
        site: JSON.parse(json).title,
        title: item.title,
        summary: item.summary,
        html: item.content_html,
        tag: item.tags[0],
        author: item.authors[0].name,
      },
    }).toEqual({ rss: expected, atom: expected, json: expected });
  });

  it('names every post whose date or URL no feed can carry', () => {
    // Prepare
    const posts = [
      makePost({ sourcePath: 'a.md', date: 'last tuesday' }),
      makePost({ sourcePath: 'b.md', url: '/posts/b/' }),
      makePost({ sourcePath: 'c.md' }),
    ];

    // Act
    const build = () => buildFeeds(posts, makeSite(), NOW);

    // Assess
    expect(build).toThrow(FeedError);
    expect(build).toThrow(/a\.md.*date[\s\S]*b\.md.*url/);
  });

  it('refuses two posts with one id, naming both', () => {
    // Prepare
    const posts = [makePost({ sourcePath: 'first.md', id: 'x' }), makePost({ sourcePath: 'second.md', id: 'x' })];

    // Act
    const build = () => buildFeeds(posts, makeSite(), NOW);

    // Assess
    expect(build).toThrow(/second\.md: id "x" is already the id of first\.md/);
  });
});
