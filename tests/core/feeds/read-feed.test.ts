import { describe, expect, it } from 'vitest';
import { detectFeedFormat, NotAFeedError, readFeed } from '../../../functions/core/feeds/read-feed.ts';

const RSS = `<?xml version="1.0" encoding="utf-8"?>
<?xml-stylesheet href="/style.xsl" type="text/xsl"?>
<!-- written by hand for this test -->
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Pebble Notes</title><link>https://pebble.example/</link>
<atom:link href="https://pebble.example/index.xml" rel="self" type="application/rss+xml"/>
<item><title>Moss &amp;amp; stone &lt;/title&gt;</title><link>/2024/moss/</link>
<guid isPermaLink="false"> tag:pebble.example,2024:moss&amp;lt;1 </guid><pubDate>Tue, 05 Mar 2024 09:30:00 +0100</pubDate></item>
<item><title>No guid</title><link>https://pebble.example/2024/bare/</link></item>
</channel></rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Pebble Notes</title><link href="https://pebble.example/feed.xml" rel="self" type="application/atom+xml"/>
<link href="https://pebble.example/" rel="alternate" type="text/html"/><id>https://pebble.example/feed.xml</id>
<updated>2024-03-06T00:00:00Z</updated>
<entry><title type="html">Gravel &lt;/title&gt;</title><link href="https://pebble.example/2024/gravel/" rel="alternate"/>
<id>https://pebble.example/2024/gravel</id><published>2024-03-05T08:30:00+00:00</published><updated>2024-03-06T00:00:00Z</updated></entry>
</feed>`;

describe('readFeed', () => {
  it('reads RSS with the guid exactly as written and the link as written', async () => {
    // Act
    const feed = await readFeed(RSS, 'index.xml');

    // Assess
    expect(feed).toMatchObject({
      format: 'rss',
      homeUrl: 'https://pebble.example/',
      selfUrl: 'https://pebble.example/index.xml',
    });
    expect(feed.items[0]).toEqual({
      id: ' tag:pebble.example,2024:moss&lt;1 ',
      link: '/2024/moss/',
      title: 'Moss &amp; stone </title>',
      date: '2024-03-05T08:30:00.000Z',
    });
    expect(feed.items[1]).toEqual({ link: 'https://pebble.example/2024/bare/', title: 'No guid' });
  });

  it('reads Atom ids and the published date', async () => {
    // Act
    const feed = await readFeed(ATOM, 'feed.xml');

    // Assess
    expect(feed).toMatchObject({
      format: 'atom',
      homeUrl: 'https://pebble.example/',
      selfUrl: 'https://pebble.example/feed.xml',
    });
    expect(feed.items).toEqual([
      {
        id: 'https://pebble.example/2024/gravel',
        link: 'https://pebble.example/2024/gravel/',
        title: 'Gravel </title>',
        date: '2024-03-05T08:30:00.000Z',
      },
    ]);
  });

  it('reads a JSON Feed', async () => {
    // Prepare
    const text = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Pebble Notes',
      home_page_url: 'https://pebble.example/',
      items: [
        { id: 7, url: 'https://pebble.example/2024/sand/', title: 'Sand', date_modified: '2024-03-01T00:00:00Z' },
      ],
    });

    // Act
    const feed = await readFeed(text, 'feed.json');

    // Assess
    expect(feed).toEqual({
      format: 'json',
      title: 'Pebble Notes',
      homeUrl: 'https://pebble.example/',
      items: [{ id: '7', link: 'https://pebble.example/2024/sand/', title: 'Sand', date: '2024-03-01T00:00:00.000Z' }],
    });
  });

  it('says which file is not a feed and what it is instead', async () => {
    // Act / Assess
    await expect(readFeed('<?xml version="1.0"?><urlset></urlset>', 'sitemap.xml')).rejects.toThrow(
      new NotAFeedError('sitemap.xml is not a feed: its root element is <urlset>, not <rss> or <feed>'),
    );
    await expect(readFeed('hello', 'notes.txt')).rejects.toBeInstanceOf(NotAFeedError);
  });

  it('detects the format from the content, not the name', () => {
    expect(detectFeedFormat(ATOM)).toBe('atom');
    expect(detectFeedFormat(RSS)).toBe('rss');
    expect(detectFeedFormat('{"name":"manifest"}')).toBeUndefined();
  });
});
