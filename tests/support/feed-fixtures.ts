/**
 * Fresh fixtures and XML reading for the feed tests. Every call returns new objects, so no test can leak into another.
 */
import { XmlDocument } from 'libxml2-wasm';
import { defaultDigestConfig } from '../../functions/core/site-config.ts';
import type { PublishedPost, SiteConfig } from '../../functions/core/types.ts';

export const makeSite = (overrides: Partial<SiteConfig> = {}): SiteConfig => ({
  digest: defaultDigestConfig(),
  title: 'Field Notes',
  description: 'Short essays on building small, durable software.',
  baseUrl: 'https://notes.example/',
  language: 'en-GB',
  author: { name: 'Ada Example', email: 'ada@notes.example', url: 'https://ada.example/' },
  feedSize: 20,
  pageSize: 10,
  timeZone: 'Europe/Berlin',
  maxPostBytes: 256 * 1024,
  iframeHosts: [],
  ...overrides,
});

export const makePost = (overrides: Partial<PublishedPost> = {}): PublishedPost => ({
  id: 'tag:notes.example,2019:hello-world',
  sourcePath: '2019/hello-world.md',
  slug: 'hello-world',
  url: 'https://notes.example/posts/hello-world/',
  title: 'Hello, world',
  date: '2019-10-25T10:28:00+02:00',
  summary: 'A first post & a plain-text summary.',
  html: '<p>Hello <a href="https://notes.example/about/">reader</a> &amp; friends.</p><img src="https://notes.example/a.png" alt="">',
  tags: ['intro', 'meta'],
  categories: ['essays'],
  authors: [{ name: 'Ada Example', url: 'https://ada.example/' }],
  image: 'https://notes.example/a.png',
  ...overrides,
});

/** Namespaces for XPath over our feeds: `a:` is Atom (also the `atom:` prefix in RSS). */
export const XML_NAMESPACES = {
  a: 'http://www.w3.org/2005/Atom',
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
};

/** Parses strictly (libxml2: throws on anything not well-formed) and reads with `read`, then frees the document. */
export const readXml = <T>(xml: string, read: (query: (xpath: string) => string[]) => T): T => {
  const document = XmlDocument.fromString(xml);
  try {
    return read((xpath) => document.find(xpath, XML_NAMESPACES).map((node) => node.content));
  } finally {
    document.dispose();
  }
};
