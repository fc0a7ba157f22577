/**
 * The offline feed checker, proven on feeds broken one rule at a time, then run over buildFeeds output.
 */
import { describe, expect, it } from 'vitest';
import { buildFeeds } from '../../../functions/core/feeds/build-feeds.ts';
import type { PublishedPost } from '../../../functions/core/types.ts';
import { makePost, makeSite } from '../../support/feed-fixtures.ts';
import { validateAtom, validateJsonFeed, validateRss } from '../../support/feed-validator.ts';

const NOW = new Date('2030-01-01T00:00:00Z');

const cleanFeeds = (posts: PublishedPost[] = [makePost()]) => buildFeeds(posts, makeSite(), NOW);

/** Replaces one fragment, and fails loudly if the fragment is not there (so no case passes by accident). */
const breakXml = (xml: string, from: string, to: string): string => {
  if (!xml.includes(from)) throw new Error(`fixture has no ${JSON.stringify(from)}`);
  return xml.replace(from, to);
};

const messageNames = (findings: string[]): string[] => findings.map((finding) => finding.split(' ')[1] ?? '');

describe('validateRss', () => {
  it.each<[rule: string, when: string, from: string, to: string]>([
    ['SAXError', 'a control character', '<title>Field Notes</title>', '<title>Field\u0001Notes</title>'],
    ['SAXError', 'an unescaped < in text', '<category>intro</category>', '<category>a<b</category>'],
    ['SAXError', 'an undeclared namespace prefix', ' xmlns:dc="http://purl.org/dc/elements/1.1/"', ''],
    ['BadCharacters', 'a C1 control character', '<title>Field Notes</title>', '<title>Field\u0085Notes</title>'],
    ['UndecipherableSpecification', 'another RSS version', 'version="2.0"', 'version="0.91"'],
    [
      'MissingElement',
      'a channel without description',
      '<description>Short essays on building small, durable software.</description>',
      '',
    ],
    [
      'DuplicateElement',
      'a channel with two titles',
      '<title>Field Notes</title>',
      '<title>Field Notes</title><title>Again</title>',
    ],
    ['InvalidFullLink', 'a relative channel link', '<link>https://notes.example/</link>', '<link>/</link>'],
    [
      'InvalidFullLink',
      'a relative item link',
      '<link>https://notes.example/posts/hello-world/</link>',
      '<link>posts/hello-world/</link>',
    ],
    [
      'InvalidRFC2822Date',
      'an ISO date in pubDate',
      '<pubDate>Fri, 25 Oct 2019 08:28:00 GMT</pubDate>',
      '<pubDate>2019-10-25T08:28:00Z</pubDate>',
    ],
    [
      'InvalidRFC2822Date',
      'a date that does not exist',
      '<pubDate>Fri, 25 Oct 2019 08:28:00 GMT</pubDate>',
      '<pubDate>Fri, 31 Sep 2019 08:28:00 GMT</pubDate>',
    ],
    [
      'IncorrectDOW',
      'the wrong day of the week',
      '<pubDate>Fri, 25 Oct 2019 08:28:00 GMT</pubDate>',
      '<pubDate>Mon, 25 Oct 2019 08:28:00 GMT</pubDate>',
    ],
    [
      'ProblematicalRFC822Date',
      'a two-digit year',
      '<pubDate>Fri, 25 Oct 2019 08:28:00 GMT</pubDate>',
      '<pubDate>25 Oct 19 08:28 +0000</pubDate>',
    ],
    [
      'InvalidLanguage',
      'a language name instead of a code',
      '<language>en-GB</language>',
      '<language>English</language>',
    ],
    [
      'InvalidContact',
      'a managingEditor without email',
      '<managingEditor>ada@notes.example (Ada Example)</managingEditor>',
      '<managingEditor>Ada Example</managingEditor>',
    ],
    [
      'DuplicateSemantics',
      'managingEditor with dc:creator',
      '<managingEditor>',
      '<dc:creator>Ada Example</dc:creator><managingEditor>',
    ],
    [
      'MissingAtomSelfLink',
      'no self link',
      '<atom:link href="https://notes.example/feed.xml" rel="self" type="application/rss+xml"/>',
      '',
    ],
    [
      'UnexpectedContentType',
      'a self link typed as Atom',
      'rel="self" type="application/rss+xml"',
      'rel="self" type="application/atom+xml"',
    ],
    [
      'DuplicateAtomLink',
      'two self links',
      '<atom:link href="https://notes.example/feed.xml" rel="self" type="application/rss+xml"/>',
      '<atom:link href="https://notes.example/feed.xml" rel="self" type="application/rss+xml"/><atom:link href="https://notes.example/rss" rel="self" type="application/rss+xml"/>',
    ],
    ['MissingGuid', 'an item without guid', '<guid isPermaLink="false">tag:notes.example,2019:hello-world</guid>', ''],
    ['InvalidPermalink', 'a non-URL guid without isPermaLink="false"', '<guid isPermaLink="false">', '<guid>'],
    ['InvalidBooleanAttribute', 'isPermaLink="no"', 'isPermaLink="false"', 'isPermaLink="no"'],
    ['InvalidContact', 'a name in author', '<dc:creator>Ada Example</dc:creator>', '<author>Ada Example</author>'],
    [
      'DuplicateItemSemantics',
      'author with dc:creator',
      '<dc:creator>Ada Example</dc:creator>',
      '<dc:creator>Ada Example</dc:creator><author>ada@notes.example</author>',
    ],
    ['NotBlank', 'a blank category', '<category>intro</category>', '<category> </category>'],
    ['ContainsRelRef', 'a relative href in content', 'href="https://notes.example/about/"', 'href="/about/"'],
    ['ContainsRelRef', 'a relative src in content', 'src="https://notes.example/a.png"', 'src="a.png"'],
  ])('flags %s for %s', (rule, _when, from, to) => {
    // Prepare
    const rss = breakXml(cleanFeeds().rss, from, to);

    // Act
    const findings = validateRss(rss);

    // Assess
    expect(messageNames(findings)).toContain(rule);
  });

  it('flags a self link that does not point where the feed is published', () => {
    // Prepare
    const { rss } = cleanFeeds();

    // Act
    const findings = validateRss(rss, { location: 'https://elsewhere.example/feed.xml' });

    // Assess
    expect(messageNames(findings)).toEqual(['SelfDoesntMatchLocation']);
  });

  it('flags an item with neither title nor description', () => {
    // Prepare
    const { rss } = cleanFeeds();
    const withoutTitle = breakXml(rss, '<title>Hello, world</title>', '');
    const broken = breakXml(
      withoutTitle,
      '<description>A first post &amp;amp; a plain-text summary.</description>',
      '',
    );

    // Act
    const findings = validateRss(broken);

    // Assess
    expect(messageNames(findings)).toEqual(['ItemMustContainTitleOrDescription']);
  });

  it('flags two items with one guid', () => {
    // Prepare
    const { rss } = cleanFeeds();
    const item = rss.slice(rss.indexOf('<item>'), rss.indexOf('</item>') + '</item>'.length);

    // Act
    const findings = validateRss(breakXml(rss, item, `${item}${item}`));

    // Assess
    expect(messageNames(findings)).toEqual(['DuplicateEntries']);
  });
});

describe('validateAtom', () => {
  it.each<[rule: string, when: string, from: string, to: string]>([
    [
      'SAXError',
      'an unescaped & in text',
      '<title type="text">Hello, world</title>',
      '<title type="text">Hello & world</title>',
    ],
    ['SAXError', 'a control character', '<name>Ada Example</name>', '<name>Ada\u0002Example</name>'],
    [
      'InvalidNamespace',
      'the Atom 0.3 namespace',
      'xmlns="http://www.w3.org/2005/Atom"',
      'xmlns="http://purl.org/atom/ns#"',
    ],
    ['MissingElement', 'a feed without id', '<id>https://notes.example/</id>', ''],
    [
      'MissingElement',
      'an entry without updated',
      '<published>2019-10-25T08:28:00Z</published>\n    <updated>2019-10-25T08:28:00Z</updated>',
      '<published>2019-10-25T08:28:00Z</published>',
    ],
    [
      'DuplicateElement',
      'an entry with two titles',
      '<title type="text">Hello, world</title>',
      '<title>A</title><title>B</title>',
    ],
    [
      'InvalidTAG',
      'a tag: id without a date',
      '<id>tag:notes.example,2019:hello-world</id>',
      '<id>tag:notes.example:hello-world</id>',
    ],
    ['InvalidURN', 'a URN without a namespace', '<id>tag:notes.example,2019:hello-world</id>', '<id>urn:x</id>'],
    ['InvalidIRI', 'an id that is no URI', '<id>tag:notes.example,2019:hello-world</id>', '<id>hello-world</id>'],
    ['InvalidFullLink', 'an http id that is no URL', '<id>tag:notes.example,2019:hello-world</id>', '<id>http://</id>'],
    [
      'InvalidRFC3339Date',
      'a date with a space and no zone',
      '<published>2019-10-25T08:28:00Z</published>',
      '<published>2019-10-25 08:28:00</published>',
    ],
    [
      'InvalidRFC3339Date',
      'a date that does not exist',
      '<published>2019-10-25T08:28:00Z</published>',
      '<published>2019-02-30T08:28:00Z</published>',
    ],
    [
      'InvalidTextType',
      'an unknown text type',
      '<title type="text">Hello, world</title>',
      '<title type="plain">Hello, world</title>',
    ],
    ['MissingHref', 'a link without href', 'href="https://notes.example/posts/hello-world/"', ''],
    [
      'InvalidFullLink',
      'a relative link',
      'href="https://notes.example/posts/hello-world/"',
      'href="/posts/hello-world/"',
    ],
    [
      'DuplicateAtomLink',
      'two alternate links of one type',
      '<link rel="alternate" type="text/html" href="https://notes.example/posts/hello-world/"/>',
      '<link rel="alternate" type="text/html" href="https://notes.example/posts/hello-world/"/><link rel="alternate" type="text/html" href="https://notes.example/x/"/>',
    ],
    [
      'MissingSelf',
      'no self link',
      '<link rel="self" type="application/atom+xml" href="https://notes.example/atom.xml"/>',
      '',
    ],
    [
      'UnexpectedContentType',
      'a self link typed as RSS',
      'rel="self" type="application/atom+xml"',
      'rel="self" type="application/rss+xml"',
    ],
    [
      'MissingAlternateLink',
      'a feed without alternate link',
      '<link rel="alternate" type="text/html" href="https://notes.example/"/>',
      '',
    ],
    [
      'MissingAlternateLink',
      'an entry without alternate link',
      '<link rel="alternate" type="text/html" href="https://notes.example/posts/hello-world/"/>',
      '',
    ],
    ['ContentNotHtml', 'content that is not html', '<content type="html">', '<content type="text">'],
    ['ContainsRelRef', 'a relative href in content', 'href="https://notes.example/about/"', 'href="../about/"'],
    ['MissingAttribute', 'a category without term', '<category term="intro"/>', '<category term=""/>'],
    ['InvalidAddrSpec', 'an email that is no address', '<email>ada@notes.example</email>', '<email>ada</email>'],
    ['InvalidFullLink', 'a relative author uri', '<uri>https://ada.example/</uri>', '<uri>ada.example</uri>'],
  ])('flags %s for %s', (rule, _when, from, to) => {
    // Prepare
    const atom = breakXml(cleanFeeds().atom, from, to);

    // Act
    const findings = validateAtom(atom);

    // Assess
    expect(messageNames(findings)).toContain(rule);
  });

  it('flags an entry with neither content nor an alternate link', () => {
    // Prepare
    const { atom } = cleanFeeds();
    const withoutLink = breakXml(
      atom,
      '<link rel="alternate" type="text/html" href="https://notes.example/posts/hello-world/"/>',
      '',
    );
    const broken = withoutLink.replace(/<content type="html">[^<]*<\/content>/, '');

    // Act
    const findings = validateAtom(broken);

    // Assess
    expect(messageNames(findings)).toEqual(['MissingContentOrAlternate']);
  });

  it('flags entries without an author when the feed has none', () => {
    // Prepare
    const { atom } = cleanFeeds([makePost({ authors: [] })]);
    const broken = atom.replace(/<author>[\s\S]*?<\/author>/, '');

    // Act
    const findings = validateAtom(broken);

    // Assess
    expect(messageNames(findings)).toEqual(['MissingElement']);
  });

  it('flags two entries with one id', () => {
    // Prepare
    const { atom } = cleanFeeds();
    const entry = atom.slice(atom.indexOf('<entry>'), atom.indexOf('</entry>') + '</entry>'.length);

    // Act
    const findings = validateAtom(breakXml(atom, entry, `${entry}${entry}`));

    // Assess
    expect(messageNames(findings)).toEqual(['DuplicateEntries']);
  });

  it('flags a self link that does not point where the feed is published', () => {
    // Prepare
    const { atom } = cleanFeeds();

    // Act
    const findings = validateAtom(atom, { location: 'https://notes.example/feed.atom' });

    // Assess
    expect(messageNames(findings)).toEqual(['SelfDoesntMatchLocation']);
  });
});

describe('validateJsonFeed', () => {
  type Feed = Record<string, unknown> & { items: Record<string, unknown>[] };
  const cleanJson = (): Feed => JSON.parse(cleanFeeds().json);

  it.each<[rule: string, when: string, breakFeed: (feed: Feed) => unknown]>([
    ['UndecipherableSpecification', 'an array instead of an object', (feed) => [feed]],
    ['ObsoleteVersion', 'version 1', (feed) => ({ ...feed, version: 'https://jsonfeed.org/version/1' })],
    ['MissingElement', 'no title', ({ title: _title, ...feed }) => feed],
    ['MissingElement', 'no items', ({ items: _items, ...feed }) => feed],
    ['InvalidFullLink', 'a relative home_page_url', (feed) => ({ ...feed, home_page_url: '/' })],
    ['MissingSelf', 'no feed_url', ({ feed_url: _url, ...feed }) => feed],
    ['InvalidLanguage', 'a language name', (feed) => ({ ...feed, language: 'British English' })],
    ['MissingElement', 'a numeric item id', (feed) => ({ ...feed, items: [{ ...feed.items[0], id: 42 }] })],
    ['DuplicateEntries', 'two items with one id', (feed) => ({ ...feed, items: [feed.items[0], feed.items[0]] })],
    [
      'InvalidFullLink',
      'a relative item url',
      (feed) => ({ ...feed, items: [{ ...feed.items[0], url: 'posts/hello/' }] }),
    ],
    ['InvalidFullLink', 'a relative image', (feed) => ({ ...feed, items: [{ ...feed.items[0], image: '/a.png' }] })],
    [
      'MissingTextualContent',
      'an item without content',
      (feed) => ({ ...feed, items: [{ ...feed.items[0], content_html: undefined }] }),
    ],
    [
      'InvalidRFC3339Date',
      'an RFC 822 date',
      (feed) => ({ ...feed, items: [{ ...feed.items[0], date_published: 'Fri, 25 Oct 2019' }] }),
    ],
    ['InvalidValue', 'tags as a string', (feed) => ({ ...feed, items: [{ ...feed.items[0], tags: 'intro' }] })],
    ['InvalidValue', 'a numeric title', (feed) => ({ ...feed, items: [{ ...feed.items[0], title: 7 }] })],
    ['MissingElement', 'an empty author', (feed) => ({ ...feed, items: [{ ...feed.items[0], authors: [{}] }] })],
    ['ObsoleteVersion', 'a 1.0 author', ({ authors: _authors, ...feed }) => ({ ...feed, author: { name: 'Ada' } })],
    [
      'ContainsRelRef',
      'a relative src in content_html',
      (feed) => ({ ...feed, items: [{ ...feed.items[0], content_html: '<img src="/a.png">' }] }),
    ],
  ])('flags %s for %s', (rule, _when, breakFeed) => {
    // Prepare
    const json = JSON.stringify(breakFeed(cleanJson()));

    // Act
    const findings = validateJsonFeed(json);

    // Assess
    expect(messageNames(findings)).toContain(rule);
  });

  it('flags text that is not JSON', () => {
    // Prepare
    const json = `${cleanFeeds().json.slice(0, -3)}`;

    // Act
    const findings = validateJsonFeed(json);

    // Assess
    expect(messageNames(findings)).toEqual(['SAXError']);
  });

  it('flags a feed_url that does not point where the feed is published', () => {
    // Prepare
    const { json } = cleanFeeds();

    // Act
    const findings = validateJsonFeed(json, { location: 'https://notes.example/feed.json?v=2' });

    // Assess
    expect(messageNames(findings)).toEqual(['SelfDoesntMatchLocation']);
  });
});

describe('the checker over buildFeeds output', () => {
  it('finds nothing in feeds with several posts, edits, authors and hostile titles', () => {
    // Prepare
    const posts = [
      // Markup in titles is stripped when posts are parsed (see the corpus feed test); XML-hostile text stays.
      makePost({ id: 'tag:notes.example,2024:a', title: 'Less < more ]]> & "}', updated: '2024-12-01T00:00:00Z' }),
      makePost({ id: 'https://notes.example/posts/b/', url: 'https://notes.example/posts/b/', authors: [] }),
      makePost({ id: 'urn:uuid:6f1c6d1e-2b7a-4c57-9a43-3f0e8d1f2a10', tags: [], categories: [], summary: '' }),
    ];
    const site = makeSite({ baseUrl: 'https://blog.example/notes/' });

    // Act
    const { rss, atom, json } = buildFeeds(posts, site, NOW);

    // Assess
    expect({
      rss: validateRss(rss, { location: 'https://blog.example/notes/feed.xml' }),
      atom: validateAtom(atom, { location: 'https://blog.example/notes/atom.xml' }),
      json: validateJsonFeed(json, { location: 'https://blog.example/notes/feed.json' }),
    }).toEqual({ rss: [], atom: [], json: [] });
  });

  it('finds nothing in empty feeds of a site without an author', () => {
    // Prepare
    const { author: _author, ...site } = makeSite({ description: '' });

    // Act
    const { rss, atom, json } = buildFeeds([], site, NOW);

    // Assess
    expect({ rss: validateRss(rss), atom: validateAtom(atom), json: validateJsonFeed(json) }).toEqual({
      rss: [],
      atom: [],
      json: [],
    });
  });
});
